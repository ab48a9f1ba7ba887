/**
 * The verification period's SIM-health check (issue 3 left the hook, ingest fills it): a resolved case closes
 * itself at the end of its verification period only if none of its listed affected SIMs is, since the resolution,
 * still being refused by the network. A SIM that stayed silent since does not block the close (meters send a few
 * times a day); diagnosis (issue 5) will judge silence against the SIM's usual pattern.
 */
import type { Database } from '../../platform/db/client.ts';
import type { VerificationCheck } from '../cases/case-automation.ts';
import type { SimsService } from '../sims/sims.service.ts';
import { causeLabel } from './causes.ts';

const SHOWN = 3;

export function simHealthCheck(
  database: Pick<Database, 'query'>,
  sims: Pick<SimsService, 'iccidsOf'>,
): VerificationCheck {
  return async (c, { simIds }) => {
    if (!c.resolvedAt || simIds.length === 0) return { ok: true };
    const rows = await database.query<{
      sim_id: number;
      last_event_type: string;
      last_reject_cause: number | null;
      last_event_at: Date;
      plmn: string | null;
    }>(
      `select sim_id::int as sim_id, last_event_type, last_reject_cause, last_event_at, plmn
         from sim_network_state
        where sim_id = any($1::bigint[]) and last_event_at > $2
          and last_event_type in ('attach_rejected', 'session_rejected')
        order by last_event_at desc`,
      [simIds, c.resolvedAt.toISOString()],
    );
    if (rows.length === 0) return { ok: true };
    const iccids = await sims.iccidsOf(rows.slice(0, SHOWN).map((r) => r.sim_id));
    const shown = rows.slice(0, SHOWN).map((r) => {
      const cause = r.last_reject_cause === null ? '' : ` cause ${causeLabel(r.last_event_type, r.last_reject_cause)}`;
      const where = r.plmn ? ` in PLMN ${r.plmn}` : '';
      return `${iccids.get(r.sim_id) ?? `SIM ${r.sim_id}`} ${r.last_event_type}${cause}${where} at ${new Date(r.last_event_at).toISOString()}`;
    });
    const more = rows.length > SHOWN ? ` and ${rows.length - SHOWN} more` : '';
    return {
      ok: false,
      reason: `${rows.length} affected SIM(s) still refused by the network after the fix: ${shown.join('; ')}${more}`,
    };
  };
}
