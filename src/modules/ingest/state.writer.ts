/**
 * The SIM network state rows of a batch (sim_network_state), in two ways that give the same rows:
 *
 *  - the **direct path**, for every SIM with exactly one event in the batch (nearly all of them when a batch is
 *    small against the fleet): the event is applied by the database itself, in one `UPDATE … FROM` whose SET
 *    clauses are `applyEvent` (network-effects.ts) written in SQL, and an `INSERT` for SIMs that have no row yet.
 *    Nothing is read into the process first: reading the rows `FOR UPDATE` and sending them back was a third of the
 *    writer's database time (docs/PERFORMANCE.md, "Network ingest").
 *  - the **read path**, for SIMs with several events in the batch, and for an event the direct path leaves: one
 *    older than the state (late records never roll it back), one naming an IMEI the row does not hold (a first or
 *    another device: the IMEI history needs the IMEI it was in), or a row another process inserted meanwhile. The rows are read
 *    `FOR UPDATE` in key order, `nextState` folds the events, the result is upserted.
 *
 * state.writer.test.ts checks, on both databases, that the direct path answers exactly what nextState does for
 * every event type against every kind of prior state.
 */
import type { RawTx } from '../../platform/db/client.ts';
import type { NetworkEvent } from './contract.ts';
import { date, isoOrUndef, json, ms, num, orUndef } from './json-rows.ts';
import { BARRING_EMM_CAUSES, nextState, type SimRef, type StateRow } from './network-effects.ts';

export type SimGroups = Map<number, { ref: SimRef; events: NetworkEvent[] }>;

/**
 * Writes the state of every SIM in `bySim` (its events sorted by ts); answers the IMEI each SIM was in before the
 * batch, for the IMEI history (null: none, or no state row). Only exact where the SIM's events name an IMEI: the
 * only case the history looks at. `statusChanged`, when given, receives the SIMs whose status the batch changed
 * (a first state row counts): what the batch event announces (ingest.events.ts); without it, the direct path's
 * statement does not look for the status before.
 */
export async function writeStates(
  tx: RawTx,
  bySim: SimGroups,
  statusChanged?: number[],
): Promise<Map<number, string | null>> {
  const imeiBefore = new Map<number, string | null>();
  const single: { ref: SimRef; e: NetworkEvent }[] = [];
  for (const { ref, events } of bySim.values()) if (events.length === 1) single.push({ ref, e: events[0]! });
  if (single.length > 0) {
    single.sort((a, b) => a.ref.simId - b.ref.simId);
    // The direct path leaves the IMEI as it was (or the event names the same one): it is the event's, if any.
    const imeiOf = new Map(single.map(({ ref, e }) => [ref.simId, e.imei]));
    for (const r of await tx.query<{ sim_id: string | number; moved?: boolean }>(
      statusChanged ? DIRECT_UPDATE_MOVED : DIRECT_UPDATE,
      [json(single.map(({ ref, e }) => directRow(ref, e)))],
    )) {
      const id = Number(r.sim_id);
      imeiBefore.set(id, imeiOf.get(id) ?? null);
      if (r.moved) statusChanged?.push(id);
    }
    const fresh = single.filter(({ ref }) => !imeiBefore.has(ref.simId));
    if (fresh.length > 0) {
      const rows = fresh.map(({ ref, e }) => nextState(undefined, ref, [e])!);
      for (const r of await tx.query<{ sim_id: string | number }>(
        `${UPSERT_HEAD} on conflict (sim_id) do nothing returning sim_id`,
        [json(rows.map(stateJson))],
      )) {
        imeiBefore.set(Number(r.sim_id), null);
        statusChanged?.push(Number(r.sim_id));
      }
    }
  }
  const rest: SimGroups = new Map();
  for (const [id, g] of bySim) if (!imeiBefore.has(id)) rest.set(id, g);
  if (rest.size > 0) {
    const current = await writeStateRead(tx, rest, statusChanged);
    for (const id of rest.keys()) imeiBefore.set(id, current.get(id)?.imei ?? null);
  }
  return imeiBefore;
}

const directRow = (ref: SimRef, e: NetworkEvent) => ({
  sim_id: ref.simId,
  tenant_id: ref.tenantId,
  account_id: ref.accountId,
  ts: e.ts.toISOString(),
  type: e.type,
  plmn: orUndef(e.plmn),
  rat: orUndef(e.rat),
  apn: orUndef(e.apn),
  ip: orUndef(e.ip),
  session_id: orUndef(e.sessionId),
  cause: orUndef(e.cause),
  imsi: orUndef(e.imsi),
  imei: orUndef(e.imei),
});

// applyEvent in SQL: `s` is the row as it was, `e` the event. Keep the two in step (state.writer.test.ts).
// DIRECT_UPDATE_MOVED also answers whether the status moved: `o` is the same row joined once more, for the status
// before (RETURNING sees only the new row before PostgreSQL 18), one index probe of a page the update reads anyway.
// It is the row as of the statement's start: should another process change the SIM in between (two processes
// splitting one stream, rare), `moved` compares against the row before that change.
const CLOSES = `(e.type in ('attach', 'attach_rejected', 'detach')
   or (e.type = 'session_end' and (s.session_id is null or s.session_id = e.session_id)))`;
const REJECT = `e.type in ('attach_rejected', 'session_rejected')`;
const DIRECT_SET = `
update sim_network_state s set
  tenant_id = e.tenant_id, account_id = e.account_id, last_event_at = e.ts, last_event_type = e.type,
  plmn = coalesce(e.plmn, s.plmn), rat = coalesce(e.rat, s.rat), imsi = coalesce(e.imsi, s.imsi),
  status = case
    when e.type = 'attach' then 'ATTACHED'
    when e.type = 'attach_rejected' then
      case when e.cause in (${[...BARRING_EMM_CAUSES].join(', ')}) then 'BLOCKED' else 'OFFLINE' end
    when e.type = 'detach' then 'OFFLINE'
    when e.type in ('session_start', 'session_update') then 'ONLINE'
    when e.type = 'session_end' then
      case when s.session_id is null or s.session_id = e.session_id then 'ATTACHED' else s.status end
    when e.type = 'session_rejected' then case when s.session_id is null then 'ATTACHED' else s.status end
    when s.status in ('OFFLINE', 'BLOCKED') then 'ATTACHED'
    else s.status end,
  session_id = case when ${CLOSES} then null
    when e.type = 'session_start' then e.session_id
    when e.type = 'session_update' then coalesce(s.session_id, e.session_id)
    else s.session_id end,
  session_started_at = case when ${CLOSES} then null when e.type = 'session_start' then e.ts
    else s.session_started_at end,
  ip = case when ${CLOSES} then null when e.type = 'session_start' then e.ip else s.ip end,
  apn = case when e.type in ('session_start', 'session_update', 'session_rejected') then e.apn else s.apn end,
  last_reject_type = case when ${REJECT} then e.type else s.last_reject_type end,
  last_reject_cause = case when ${REJECT} then e.cause else s.last_reject_cause end,
  last_reject_at = case when ${REJECT} then e.ts else s.last_reject_at end,
  updated_at = now()
from json_to_recordset($1::json) as e(sim_id bigint, tenant_id bigint, account_id bigint, ts timestamptz,
       type text, plmn text, rat text, apn text, ip text, session_id text, cause smallint, imsi text, imei text)`;
const DIRECT_WHERE = `where s.sim_id = e.sim_id and e.ts >= s.last_event_at and (e.imei is null or e.imei = s.imei)`;
const DIRECT_UPDATE = `${DIRECT_SET}
${DIRECT_WHERE}
returning s.sim_id`;
const DIRECT_UPDATE_MOVED = `${DIRECT_SET}
  join sim_network_state o on o.sim_id = e.sim_id
${DIRECT_WHERE}
returning s.sim_id, s.status <> o.status as moved`;

const UPSERT_HEAD = `insert into sim_network_state (sim_id, tenant_id, account_id, status, last_event_at, last_event_type,
    plmn, rat, apn, ip, session_id, session_started_at, last_reject_type, last_reject_cause, last_reject_at, imsi,
    imei, imei_changed_at, updated_at)
  select *, now() from json_to_recordset($1::json) as r(sim_id bigint, tenant_id bigint, account_id bigint,
    status text, last_event_at timestamptz, last_event_type text, plmn text, rat text, apn text, ip text,
    session_id text, session_started_at timestamptz, last_reject_type text, last_reject_cause smallint,
    last_reject_at timestamptz, imsi text, imei text, imei_changed_at timestamptz)`;

const stateJson = (s: StateRow) => ({
  sim_id: s.simId,
  tenant_id: s.tenantId,
  account_id: s.accountId,
  status: s.status,
  last_event_at: s.lastEventAt.toISOString(),
  last_event_type: s.lastEventType,
  plmn: orUndef(s.plmn),
  rat: orUndef(s.rat),
  apn: orUndef(s.apn),
  ip: orUndef(s.ip),
  session_id: orUndef(s.sessionId),
  session_started_at: isoOrUndef(s.sessionStartedAt),
  last_reject_type: orUndef(s.lastRejectType),
  last_reject_cause: orUndef(s.lastRejectCause),
  last_reject_at: isoOrUndef(s.lastRejectAt),
  imsi: orUndef(s.imsi),
  imei: orUndef(s.imei),
  imei_changed_at: isoOrUndef(s.imeiChangedAt),
});

/** The read-then-write path: answers the states as they were before the batch. */
async function writeStateRead(
  tx: RawTx,
  bySim: SimGroups,
  statusChanged: number[] | undefined,
): Promise<Map<number, StateRow>> {
  const ids = [...bySim.keys()].sort((a, b) => a - b);
  const current = new Map<number, StateRow>();
  for (const r of await tx.query<Record<string, unknown>>(
    `select sim_id, tenant_id, account_id, status, ${ms('last_event_at')}, last_event_type, plmn, rat, apn, ip,
            session_id, ${ms('session_started_at')}, last_reject_type, last_reject_cause, ${ms('last_reject_at')},
            imsi, imei, ${ms('imei_changed_at')}
       from sim_network_state where sim_id = any($1::bigint[]) order by sim_id for update`,
    [ids],
  )) {
    const s = stateFromRow(r);
    current.set(s.simId, s);
  }
  const next: StateRow[] = [];
  for (const id of ids) {
    const g = bySim.get(id)!;
    const before = current.get(id);
    const s = nextState(before, g.ref, g.events);
    if (s) next.push(s);
    if (s && s.status !== before?.status) statusChanged?.push(id);
  }
  if (next.length === 0) return current;
  await tx.query(
    `${UPSERT_HEAD}
     on conflict (sim_id) do update set tenant_id = excluded.tenant_id, account_id = excluded.account_id,
        status = excluded.status, last_event_at = excluded.last_event_at, last_event_type = excluded.last_event_type,
        plmn = excluded.plmn, rat = excluded.rat, apn = excluded.apn, ip = excluded.ip,
        session_id = excluded.session_id, session_started_at = excluded.session_started_at,
        last_reject_type = excluded.last_reject_type, last_reject_cause = excluded.last_reject_cause,
        last_reject_at = excluded.last_reject_at, imsi = excluded.imsi, imei = excluded.imei,
        imei_changed_at = excluded.imei_changed_at, updated_at = now()`,
    [json(next.map(stateJson))],
  );
  return current;
}

function stateFromRow(r: Record<string, unknown>): StateRow {
  return {
    simId: Number(r.sim_id),
    tenantId: Number(r.tenant_id),
    accountId: Number(r.account_id),
    status: r.status as StateRow['status'],
    lastEventAt: new Date(r.last_event_at as number),
    lastEventType: r.last_event_type as string,
    plmn: r.plmn as string | null,
    rat: r.rat as string | null,
    apn: r.apn as string | null,
    ip: r.ip as string | null,
    sessionId: r.session_id as string | null,
    sessionStartedAt: date(r.session_started_at),
    lastRejectType: r.last_reject_type as string | null,
    lastRejectCause: num(r.last_reject_cause),
    lastRejectAt: date(r.last_reject_at),
    imsi: r.imsi as string | null,
    imei: r.imei as string | null,
    imeiChangedAt: date(r.imei_changed_at),
  };
}
