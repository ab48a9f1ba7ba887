/**
 * One durable write of a batch of accepted records, inside the caller's transaction: the events themselves and
 * everything derived from them (SIM network state, sessions, usage, IMEI history, fleet roll-up), set-based —
 * a handful of statements per batch whatever its size, each fed by one JSON parameter or `unnest` of arrays (one
 * round trip per table, no per-row SQL). Derived rows that are read before they are written are locked in key
 * order, and the SIM state's direct path (state.writer.ts) updates rows sorted by SIM and only if the event is not
 * older than the row, so two iotops processes splitting the stream serialise on a SIM instead of overwriting each
 * other (state.writer.test.ts runs two at once; a rare deadlock between them is broken by PostgreSQL and the batch
 * retried by the write queue).
 */
import type { RawTx } from '../../platform/db/client.ts';
import type { NetworkEvent } from './contract.ts';
import { date, isoOrUndef, json, ms, orUndef } from './json-rows.ts';
import {
  byTs,
  nextSession,
  type RollupRow,
  rollup,
  type SessionRow,
  type SimRef,
  UsageAccumulator,
} from './network-effects.ts';
import { type SimGroups, writeStates } from './state.writer.ts';
import { upsertUsage } from './usage.writer.ts';

export type NetworkWriteResult = {
  /** Per input event: stored (true) or a duplicate of one already stored / earlier in the batch (false). */
  stored: boolean[];
  orphans: number;
  /** SIMs whose network status the batch changed (a first state row counts), in no particular order. */
  statusChanged: number[];
  /** The stored events that are refusals (attach_rejected, session_rejected): what the batch event groups. */
  refusals: NetworkEvent[];
};

const keyOf = (e: { iccid: string; id: string | null; ts: Date }) => `${e.iccid}|${e.id}|${e.ts.getTime()}`;

/** `changes`: also find what the batch event announces (statusChanged, refusals); off, they stay empty. */
export async function writeNetworkEvents(
  tx: RawTx,
  events: readonly NetworkEvent[],
  opts: { changes: boolean } = { changes: true },
): Promise<NetworkWriteResult> {
  const stored = events.map(() => true);
  // Duplicates inside the batch: the first occurrence wins.
  const seen = new Set<string>();
  events.forEach((e, i) => {
    if (e.id === null) return;
    const k = keyOf(e);
    if (seen.has(k)) stored[i] = false;
    else seen.add(k);
  });
  const fresh = events.filter((_, i) => stored[i]);
  const { inserted, sims } = await insertEvents(tx, fresh);
  events.forEach((e, i) => {
    if (stored[i] && e.id !== null && !inserted.has(keyOf(e))) stored[i] = false;
  });
  const applied = events.filter((_, i) => stored[i]);
  let orphans = 0;
  const refusals: NetworkEvent[] = [];
  for (const e of applied) {
    if (!sims.has(e.iccid)) orphans++;
    if (opts.changes && (e.type === 'attach_rejected' || e.type === 'session_rejected')) refusals.push(e);
  }
  const statusChanged: number[] = [];
  await applyEffects(tx, applied, sims, opts.changes ? { rollup: true, statusChanged } : { rollup: true });
  return { stored, orphans, statusChanged, refusals };
}

/**
 * Inserts the events with their SIM looked up by the same statement (a join on the ICCID, not a query of its own),
 * and answers the keys of the inserted events that have an id and the SIM of every ICCID inserted (orphans have
 * none). A duplicate is not inserted, so it neither comes back nor has effects.
 */
async function insertEvents(tx: RawTx, events: readonly NetworkEvent[]) {
  const inserted = new Set<string>();
  const sims = new Map<string, SimRef>();
  if (events.length === 0) return { inserted, sims };
  // In index order: the unique index and the SIM look-up then walk their pages in order instead of at random.
  const sorted = [...events].sort((a, b) =>
    a.iccid < b.iccid ? -1 : a.iccid > b.iccid ? 1 : a.ts.getTime() - b.ts.getTime(),
  );
  // One-letter keys: the JSON of a batch is sent, parsed and written to the socket once per event, and the long
  // column names were a third of its bytes.
  const rows = sorted.map((e) => ({
    t: e.ts.toISOString(),
    c: e.iccid,
    y: e.type,
    i: orUndef(e.id),
    s: orUndef(e.imsi),
    m: orUndef(e.imei),
    p: orUndef(e.plmn),
    r: orUndef(e.rat),
    a: orUndef(e.apn),
    n: orUndef(e.sessionId),
    ip: orUndef(e.ip),
    u: orUndef(e.bytesUp),
    d: orUndef(e.bytesDown),
    k: orUndef(e.cause),
    st: orUndef(e.status),
    sec: orUndef(e.seconds),
  }));
  // The key comes back as one text (epoch milliseconds, exact for the contract's millisecond timestamps) rather
  // than three columns: parsing a timestamptz back into a Date per row cost more than the insert's own work here.
  const returned = await tx.query<{
    iccid: string;
    sim_id: string | number | null;
    tenant_id: string | number | null;
    account_id: string | number | null;
    k: string | null;
  }>(
    `insert into network_events (ts, iccid, sim_id, tenant_id, account_id, type, event_id, imsi, imei, plmn, rat, apn,
                                 session_id, ip, bytes_up, bytes_down, cause, status, seconds)
     select r.t, r.c, s.id, s.tenant_id, s.account_id, r.y, r.i, r.s, r.m, r.p, r.r, r.a, r.n, r.ip, r.u, r.d, r.k,
            r.st, r.sec
       from json_to_recordset($1::json) as r(t timestamptz, c text, y text, i text, s text, m text, p text, r text,
              a text, n text, ip text, u bigint, d bigint, k smallint, st text, sec int)
       left join sims s on s.iccid = r.c
     on conflict do nothing
     returning iccid, sim_id, tenant_id, account_id,
               iccid || '|' || event_id || '|' || (extract(epoch from ts) * 1000)::bigint as k`,
    [json(rows)],
  );
  for (const r of returned) {
    if (r.k !== null) inserted.add(r.k);
    if (r.sim_id !== null && !sims.has(r.iccid))
      sims.set(r.iccid, { simId: Number(r.sim_id), tenantId: Number(r.tenant_id), accountId: Number(r.account_id) });
  }
  return { inserted, sims };
}

export async function applyEffects(
  tx: RawTx,
  events: readonly NetworkEvent[],
  sims: Map<string, SimRef>,
  opts: { rollup: boolean; statusChanged?: number[] } = { rollup: true },
) {
  // The roll-up rows are shared by every write lane and process: written last, so their row locks are held
  // only for the commit, not for the whole batch.
  await applySimEffects(tx, events, sims, opts.statusChanged);
  if (opts.rollup)
    await upsertRollup(
      tx,
      events.map((e) => ({ e, tenantId: sims.get(e.iccid)?.tenantId ?? null })),
    );
}

async function applySimEffects(
  tx: RawTx,
  events: readonly NetworkEvent[],
  sims: Map<string, SimRef>,
  statusChanged: number[] | undefined,
) {
  const bySim = new Map<number, { ref: SimRef; events: NetworkEvent[] }>();
  for (const e of events) {
    const ref = sims.get(e.iccid);
    if (!ref) continue;
    const g = bySim.get(ref.simId);
    if (g) g.events.push(e);
    else bySim.set(ref.simId, { ref, events: [e] });
  }
  if (bySim.size === 0) return;
  for (const g of bySim.values()) g.events.sort(byTs);
  const imeiBefore = await writeStates(tx, bySim, statusChanged);
  const usage = new UsageAccumulator();
  await writeSessions(tx, bySim, usage);
  for (const { ref, events: evs } of bySim.values()) for (const e of evs) usage.event(ref, e);
  await upsertUsage(tx, 'sim_usage_hourly', 'hour', [...usage.hourly.values()]);
  // Daily rows of complete days are rolled up from the hourly ones by maintenance (rollupDailyUsage); only late
  // records for a day already past land here directly, so each event costs one usage write, not two.
  const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  await upsertUsage(
    tx,
    'sim_usage_daily',
    'day',
    [...usage.daily.values()].filter((u) => u.at.getTime() < today),
  );
  await upsertImeis(tx, bySim, imeiBefore);
}

async function writeSessions(tx: RawTx, bySim: SimGroups, usage: UsageAccumulator) {
  const groups = new Map<string, { ref: SimRef; sessionId: string; events: NetworkEvent[] }>();
  for (const { ref, events } of bySim.values())
    for (const e of events) {
      if (e.sessionId === null || !e.type.startsWith('session_') || e.type === 'session_rejected') continue;
      const k = `${ref.simId}|${e.sessionId}`;
      const g = groups.get(k);
      if (g) g.events.push(e);
      else groups.set(k, { ref, sessionId: e.sessionId, events: [e] });
    }
  if (groups.size === 0) return;
  const keys = [...groups.values()].sort((a, b) => a.ref.simId - b.ref.simId || (a.sessionId < b.sessionId ? -1 : 1));
  const current = new Map<string, SessionRow>();
  for (const r of await tx.query<Record<string, unknown>>(
    `select s.sim_id, s.session_id, s.tenant_id, s.account_id, s.plmn, s.apn, s.rat, s.ip, ${ms('s.started_at')},
            ${ms('s.ended_at')}, ${ms('s.last_seen_at')}, s.bytes_up, s.bytes_down
       from data_sessions s
       join unnest($1::bigint[], $2::text[]) as k(sim_id, session_id) using (sim_id, session_id)
      order by s.sim_id, s.session_id for update of s`,
    [keys.map((g) => g.ref.simId), keys.map((g) => g.sessionId)],
  )) {
    current.set(`${r.sim_id}|${r.session_id}`, {
      simId: Number(r.sim_id),
      tenantId: Number(r.tenant_id),
      accountId: Number(r.account_id),
      sessionId: r.session_id as string,
      plmn: r.plmn as string | null,
      apn: r.apn as string | null,
      rat: r.rat as string | null,
      ip: r.ip as string | null,
      startedAt: date(r.started_at),
      endedAt: date(r.ended_at),
      lastSeenAt: new Date(r.last_seen_at as number),
      bytesUp: Number(r.bytes_up),
      bytesDown: Number(r.bytes_down),
    });
  }
  const rows: SessionRow[] = [];
  for (const g of keys) {
    const { row, deltas } = nextSession(current.get(`${g.ref.simId}|${g.sessionId}`), g.ref, g.sessionId, g.events);
    rows.push(row);
    for (const d of deltas) usage.bytes(g.ref, d);
  }
  await tx.query(
    `insert into data_sessions (sim_id, session_id, tenant_id, account_id, plmn, apn, rat, ip, started_at, ended_at,
        last_seen_at, bytes_up, bytes_down)
     select * from json_to_recordset($1::json) as r(sim_id bigint, session_id text, tenant_id bigint,
        account_id bigint, plmn text, apn text, rat text, ip text, started_at timestamptz, ended_at timestamptz,
        last_seen_at timestamptz, bytes_up bigint, bytes_down bigint)
     on conflict (sim_id, session_id) do update set tenant_id = excluded.tenant_id,
        account_id = excluded.account_id, plmn = excluded.plmn, apn = excluded.apn, rat = excluded.rat,
        ip = excluded.ip, started_at = excluded.started_at, ended_at = excluded.ended_at,
        last_seen_at = excluded.last_seen_at, bytes_up = excluded.bytes_up, bytes_down = excluded.bytes_down`,
    [
      json(
        rows.map((s) => ({
          sim_id: s.simId,
          session_id: s.sessionId,
          tenant_id: s.tenantId,
          account_id: s.accountId,
          plmn: orUndef(s.plmn),
          apn: orUndef(s.apn),
          rat: orUndef(s.rat),
          ip: orUndef(s.ip),
          started_at: isoOrUndef(s.startedAt),
          ended_at: isoOrUndef(s.endedAt),
          last_seen_at: s.lastSeenAt.toISOString(),
          bytes_up: s.bytesUp,
          bytes_down: s.bytesDown,
        })),
      ),
    ],
  );
}

/**
 * IMEI history: a row when a SIM shows up in a device other than the one it was in (and for its first one);
 * `last_seen_at` is when it last moved into that device. Writing only on a change keeps it off the hot path.
 */
async function upsertImeis(tx: RawTx, bySim: SimGroups, imeiBefore: Map<number, string | null>) {
  const seen = new Map<string, { simId: number; imei: string; first: Date; last: Date }>();
  for (const { ref, events } of bySim.values()) {
    let current = imeiBefore.get(ref.simId) ?? null;
    for (const e of events) {
      if (e.imei === null || e.imei === current) continue;
      current = e.imei;
      const k = `${ref.simId}|${e.imei}`;
      const h = seen.get(k);
      if (!h) seen.set(k, { simId: ref.simId, imei: e.imei, first: e.ts, last: e.ts });
      else if (e.ts > h.last) h.last = e.ts;
    }
  }
  if (seen.size === 0) return;
  const rows = [...seen.values()].sort((a, b) => a.simId - b.simId || (a.imei < b.imei ? -1 : 1));
  await tx.query(
    `insert into sim_imei_history (sim_id, imei, first_seen_at, last_seen_at)
     select * from unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::timestamptz[])
     on conflict (sim_id, imei) do update set
        first_seen_at = least(sim_imei_history.first_seen_at, excluded.first_seen_at),
        last_seen_at = greatest(sim_imei_history.last_seen_at, excluded.last_seen_at)`,
    [
      rows.map((r) => r.simId),
      rows.map((r) => r.imei),
      rows.map((r) => r.first.toISOString()),
      rows.map((r) => r.last.toISOString()),
    ],
  );
}

async function upsertRollup(tx: RawTx, events: { e: NetworkEvent; tenantId: number | null }[]) {
  // Full-key order: two transactions upserting overlapping keys then wait for each other, never deadlock.
  const key = (r: RollupRow) => `${r.bucket.getTime()}|${r.tenantId}|${r.type}|${r.plmn}|${r.apn}|${r.cause}`;
  const rows = rollup(events)
    .map((r) => ({ r, k: key(r) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((x) => x.r);
  if (rows.length === 0) return;
  const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
  await tx.query(
    `insert into network_event_counts (bucket, tenant_id, type, plmn, apn, cause, events)
     select * from unnest($1::timestamptz[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::smallint[], $7::int[])
     on conflict (bucket, tenant_id, type, plmn, apn, cause) do update
        set events = network_event_counts.events + excluded.events`,
    [
      col((r) => r.bucket.toISOString()),
      col((r) => r.tenantId),
      col((r) => r.type),
      col((r) => r.plmn),
      col((r) => r.apn),
      col((r) => r.cause),
      col((r) => r.events),
    ],
  );
}
