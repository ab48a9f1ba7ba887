/**
 * NETWORK_ADAPTER=simulated (the embedded setup): the fleet simulator is the network. Each operation becomes a
 * simulator command, stored (the feed a simulator in another process polls) and then emitted on the in-process bus
 * (`start --simulate`). The simulated core always accepts, as an HSS accepts a Cancel Location for a known IMSI;
 * a SIM the running simulator does not simulate just shows nothing.
 */
import type { Db } from '../../platform/db/client.ts';
import type { CommandBus, SimCommand } from '../simulator/commands.ts';
import { type NetworkAdapter, type NetworkSim, type OperationContext, SERVED_STATES } from './adapter.ts';
import { networkActionsRepo } from './network-actions.repo.ts';

/** A command without its id (given by the feed's row) and ICCID (the SIM's). */
type Without<C> = C extends unknown ? Omit<C, 'id' | 'iccid'> : never;
type Body = Without<SimCommand>;

export function simulatedAdapter(db: Db, bus: CommandBus): NetworkAdapter {
  const repo = networkActionsRepo(db);
  const send = async (sim: NetworkSim, op: OperationContext, body: Body) => {
    const row = await repo.insertCommand({ actionId: op.actionId, iccid: sim.iccid, command: body });
    // Emitted after the insert committed, so an in-process simulator never sees a command the feed lacks.
    const listeners = bus.emit({ ...body, id: row.id, iccid: sim.iccid } as SimCommand);
    const where = listeners > 0 ? 'delivered to the simulator in this process' : 'in the simulated-commands feed';
    return { status: 'applied' as const, detail: `simulated network command #${row.id} (${body.kind}) ${where}` };
  };
  return {
    name: 'simulated',
    cancelLocation: (sim, op) => send(sim, op, { kind: 'cancel_location' }),
    deleteSession: (sim, op) => send(sim, op, { kind: 'delete_session' }),
    sendSms: (sim, text, op) => send(sim, op, { kind: 'sms', text }),
    updateSubscription: (sim, op) => send(sim, op, { kind: 'subscription', active: SERVED_STATES.includes(sim.state) }),
  };
}
