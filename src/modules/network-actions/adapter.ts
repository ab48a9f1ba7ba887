/**
 * The network-adapter interface: the few operations iotops asks of the mobile core (or of a connectivity platform
 * that fronts it). docs/NETWORK-ADAPTER.md says what a real HLR/HSS, PGW/PCRF or Cisco Control Center adapter must
 * do for each. Every operation answers; none throws for a network refusal (only for a bug): `failed` carries the
 * reason, and `retryable` says whether trying again later may work (timeouts, overload) — the job then retries.
 */
import type { SimState } from '../sims/lifecycle.ts';

/** What the network knows a SIM by. */
export type NetworkSim = {
  /** 20 digits with the Luhn digit. */
  iccid: string;
  imsi: string | null;
  msisdn: string | null;
  state: SimState;
};

/** The action the operation serves: a correlation / idempotency key for the network side (logs, retries). */
export type OperationContext = { actionId: number };

export type AdapterOutcome =
  | { status: 'applied'; detail: string }
  | { status: 'failed'; reason: string; retryable: boolean };

export interface NetworkAdapter {
  readonly name: string;
  /** HLR/HSS Cancel Location (MAP / Diameter CLR): the device is detached and registers again. */
  cancelLocation(sim: NetworkSim, op: OperationContext): Promise<AdapterOutcome>;
  /** PGW/PCRF: end the SIM's data session(s) (Diameter RAR with session release / GTP Delete Session). */
  deleteSession(sim: NetworkSim, op: OperationContext): Promise<AdapterOutcome>;
  /** SMSC: an MT SMS to the SIM (the configuration SMS is a text; see config-sms.ts). */
  sendSms(sim: NetworkSim, text: string, op: OperationContext): Promise<AdapterOutcome>;
  /**
   * The SIM's subscription after a state or plan change in iotops: withdrawn unless ACTIVATED or TEST_READY (the
   * states that carry traffic), restored otherwise (HSS Insert/Delete Subscriber Data, or the platform's own call).
   */
  updateSubscription(sim: NetworkSim, op: OperationContext): Promise<AdapterOutcome>;
}

/** The lifecycle states in which the network lets a SIM register (the others are withdrawn from the HSS). */
export const SERVED_STATES: readonly SimState[] = ['ACTIVATED', 'TEST_READY'];

/** NETWORK_ADAPTER=none: nothing is connected; every network operation fails saying so (never silently "done"). */
export function noneAdapter(): NetworkAdapter {
  const off = async (): Promise<AdapterOutcome> => ({
    status: 'failed',
    reason: 'no network adapter is configured (NETWORK_ADAPTER=none): nothing was sent to the network',
    retryable: false,
  });
  return {
    name: 'none',
    cancelLocation: off,
    deleteSession: off,
    sendSms: off,
    updateSubscription: off,
  };
}
