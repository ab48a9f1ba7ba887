import type { RawTx } from '../../platform/db/client.ts';
import type { TelemetryStore } from '../devices/telemetry.writer.ts';
import type { NetworkEvent } from './contract.ts';
import { applyEffects } from './ingest.writer.ts';
import { num } from './json-rows.ts';
import type { SimRef } from './network-effects.ts';

/**
 * Orphans whose SIM or device exists now (imported after its traffic arrived): the stored records get their
 * owner and are replayed into the derived tables, in `ts` order like any batch. The fleet roll-up keeps counting
 * them as orphans (tenant 0): it is a record of what arrived, when. A device adopts only telemetry received from
 * its `history_from` on when it has one (a device a customer registered: what arrived before stays an orphan, the
 * provider's: the devices module's `adoptTelemetry` decides, in this transaction). Answers how many records were
 * adopted; called until it answers 0.
 */
export async function reconcileOrphans(
  tx: RawTx,
  adoptTelemetry: TelemetryStore['adoptOrphans'],
  maxSims = 500,
): Promise<{ network: number; telemetry: number }> {
  const adopted = await tx.query<Record<string, unknown>>(
    `with found as (
       select s.id, s.iccid, s.tenant_id, s.account_id from sims s
        where s.iccid in (select distinct iccid from network_events where tenant_id is null)
        limit $1)
     update network_events ne set sim_id = f.id, tenant_id = f.tenant_id, account_id = f.account_id
       from found f where ne.iccid = f.iccid and ne.tenant_id is null
     returning ne.*`,
    [maxSims],
  );
  const sims = new Map<string, SimRef>();
  const events: NetworkEvent[] = adopted.map((r) => {
    sims.set(r.iccid as string, {
      simId: Number(r.sim_id),
      tenantId: Number(r.tenant_id),
      accountId: Number(r.account_id),
    });
    return {
      id: r.event_id as string | null,
      ts: new Date(r.ts as string),
      iccid: r.iccid as string,
      type: r.type as NetworkEvent['type'],
      imsi: r.imsi as string | null,
      imei: r.imei as string | null,
      plmn: r.plmn as string | null,
      rat: r.rat as NetworkEvent['rat'],
      apn: r.apn as string | null,
      sessionId: r.session_id as string | null,
      ip: r.ip as string | null,
      bytesUp: num(r.bytes_up),
      bytesDown: num(r.bytes_down),
      cause: num(r.cause),
      status: r.status as NetworkEvent['status'],
      seconds: num(r.seconds),
    };
  });
  await applyEffects(tx, events, sims, { rollup: false });
  const telemetry = await adoptTelemetry(tx);
  return { network: events.length, telemetry };
}
