/**
 * The silence watch (issue 17, rule "silence"): a SIM whose silence outlasts its own rhythm raises an alarm at the
 * instant it does, fired by a timer, never by the SIM's next message (ThingsBoard's "no data for N minutes" fires
 * late or when the device reconnects: its users' most reported alarm problem).
 *
 * - Each SIM that has talked has one `silence_watch` row, due at its last event + its threshold (the same rule as
 *   the diagnosis' "silent" warning over its rhythm of the last 14 days, `diagnosis.silenceThresholds`).
 * - `tick` reads what is due (index on due_at: the work is what falls due, never the fleet), reads those SIMs' last
 *   events from ingest, and in one transaction per batch, with the due rows locked (SKIP LOCKED, due time checked
 *   again), either moves the due time on (the SIM talked since) or raises the alarm — a few set-based statements a
 *   batch, whatever its size. Several worker processes tick
 *   side by side: a row is handled by one of them, once.
 * - A raised alarm is checked again every RECHECK_MS while the silence lasts (its count grows: "still silent"), and
 *   cleared by the first check after the SIM talks again.
 */
import type { Database, RawTx } from '../../platform/db/client.ts';
import { emitRawMany } from '../../platform/events/emit.ts';
import { simOrderingKey } from '../sims/sims.events.ts';
import { AlarmEvents } from './alarms.events.ts';
import { nextInSchedule, type SilenceRule, severityAfter } from './rules.ts';
import type { Threshold } from './silence-rules.ts';
import { watchedBits } from './watched-bits.ts';

/** How often a silence with an active alarm is looked at again (count +1, or cleared when the SIM talked). */
export const RECHECK_MS = 5 * 60_000;
/** Due watches handled per transaction. */
export const TICK_BATCH = 500;

export type LastEvent = {
  tenantId: number;
  accountId: number;
  lastEventAt: Date;
  lastEventType: string;
  lastRejectAt?: Date | null;
};
/**
 * The SIM's newest event was under another tenant or account than its alarm's: it moved since the alarm was raised.
 * The alarm stays its old account's, and what the SIM does now is the new account's (cleared as `moved`, without it).
 */
export const movedFrom = (alarm: { tenant_id: string; account_id: string }, e: LastEvent) =>
  e.tenantId !== Number(alarm.tenant_id) || e.accountId !== Number(alarm.account_id);

export type SilenceDeps = {
  database: Database;
  lastEventsOf: (simIds: readonly number[]) => Promise<Map<number, LastEvent>>;
  /** The enabled silence rules (read once per watch or tick that has work). */
  rules: () => Promise<SilenceRule[]>;
  /** A rule threw while applied (its schedule): disabled, after the batch's transaction. */
  onRuleError: (ruleId: number, error: unknown) => Promise<void>;
  /** Each SIM's threshold after its last event, by its rule or the default (silence-rules.ts). */
  thresholdsOf: (
    sims: readonly { simId: number; lastEventAt: Date }[],
    at: Date,
    rules: readonly SilenceRule[],
    opts?: { provisional?: boolean },
  ) => Promise<Map<number, Threshold>>;
  /** Of these SIMs, those in service (ACTIVATED): a deactivated or retired SIM's silence is no news. */
  inService: (simIds: readonly number[]) => Promise<Set<number>>;
};
export type TickOutcome = {
  due: number;
  moved: number;
  raised: number;
  repeated: number;
  cleared: number;
  /** Silent SIMs not in service: looked at again in a day. */
  resting: number;
  /** Silent past the threshold they had, but not past the one their rule gives now (the rule changed), or outside
   *  their rule's schedule: due again later, no alarm. */
  deferred: number;
};
/** When a silent SIM out of service is looked at again (it may be back in service by then). */
export const RESTING_MS = 24 * 3_600_000;

type Locked = DueRow & { tenant_id: string; account_id: string };
type Clear = {
  w: Locked;
  simId: number;
  at: Date;
  by: 'traffic' | 'out_of_service' | 'moved';
  talkedWith: string | null;
};
type WatchSet = {
  sim_id: number;
  due_at: string;
  last_event_at?: string;
  threshold_ms?: number;
  tenant_id?: number;
  account_id?: number;
  rule_id?: number | null;
};
type Raise = {
  sim_id: string;
  tenant_id: number;
  account_id: number;
  severity: string;
  rule_id: number | null;
  open_case: boolean;
  details: Record<string, unknown>;
};
type DueRow = {
  sim_id: string;
  last_event_at: Date;
  threshold_ms: string;
  alarm_id: string | null;
  due_at: Date;
  rule_id: string | null;
};
const DEFAULT_SEVERITY = 'major';

export function silenceWatch(deps: SilenceDeps) {
  const { database } = deps;
  // Which SIMs are watched, as far as this process has seen: a status change of a SIM watched long since (nearly
  // every SIM of nearly every batch event) costs no read at all.
  const known = watchedBits();

  /**
   * Start watching SIMs that talked (ids from ingest's batch event); a SIM already watched is left as it is. On
   * ingest's path, so kept to a few index reads and one insert a batch (docs/PERFORMANCE.md, "the ingest with alarm
   * rules on"): the SIMs already watched are dropped first by the watch's key (nearly every batch event names SIMs
   * whose status moved, almost all watched long since), and a SIM with no rhythm yet gets a provisional threshold
   * without its scope being read (silence-rules.ts; the tick takes its own when it falls due). `recheck` (the
   * backfill) asks the database about every SIM, whatever this process remembers.
   */
  async function watch(simIds: readonly number[], at: Date, opts: { recheck?: boolean } = {}): Promise<number> {
    const asked = opts.recheck ? [...simIds] : simIds.filter((id) => !known.has(id));
    if (asked.length === 0) return 0;
    const watched = await database.query<{ sim_id: string }>(
      'select sim_id::text from silence_watch where sim_id = any($1::bigint[])',
      [asked],
    );
    const inDb = new Set(watched.map((w) => Number(w.sim_id)));
    for (const id of inDb) known.add(id);
    // A SIM the database has no watch for is not watched, whatever a bit said (a recheck: the backfill).
    const unwatched = asked.filter((id) => !inDb.has(id));
    for (const id of unwatched) known.delete(id);
    if (unwatched.length === 0) return 0;
    const last = await deps.lastEventsOf(unwatched);
    const ids = [...last.keys()];
    if (ids.length === 0) return 0;
    const thresholds = await deps.thresholdsOf(
      ids.map((simId) => ({ simId, lastEventAt: last.get(simId)!.lastEventAt })),
      at,
      await deps.rules(),
      { provisional: true },
    );
    const col = <T>(f: (id: number, e: LastEvent, t: Threshold) => T) =>
      ids.map((id) => f(id, last.get(id)!, thresholds.get(id)!));
    const r = await database.query<{ n: number }>(
      `with ins as (insert into silence_watch (sim_id, tenant_id, account_id, last_event_at, threshold_ms, due_at,
                                               rule_id)
                    select * from unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::timestamptz[], $5::bigint[],
                                         $6::timestamptz[], $7::bigint[])
                    on conflict (sim_id) do nothing returning 1)
       select count(*)::int as n from ins`,
      [
        ids,
        col((_, e) => e.tenantId),
        col((_, e) => e.accountId),
        col((_, e) => e.lastEventAt.toISOString()),
        col((_, _e, t) => t.ms),
        col((_, e, t) => new Date(e.lastEventAt.getTime() + t.ms).toISOString()),
        col((_, _e, t) => t.rule?.id ?? null),
      ],
    );
    // Inserted now, or by another process in between (on conflict): watched either way.
    for (const id of ids) known.add(id);
    return r[0]?.n ?? 0;
  }

  /** One pass over what is due at `now`, batch after batch until nothing is. */
  async function tick(now: Date): Promise<TickOutcome> {
    const out: TickOutcome = { due: 0, moved: 0, raised: 0, repeated: 0, cleared: 0, resting: 0, deferred: 0 };
    let rules: SilenceRule[] | undefined;
    for (;;) {
      const due = await database.query<DueRow>(
        `select sim_id::text, last_event_at, threshold_ms::text, alarm_id::text, due_at, rule_id::text
           from silence_watch where due_at <= $1 order by due_at limit $2`,
        [now, TICK_BATCH],
      );
      if (due.length === 0) return out;
      rules ??= await deps.rules();
      const ids = due.map((d) => Number(d.sim_id));
      const last = await deps.lastEventsOf(ids);
      // A fresh threshold for a SIM that talked (from its new event), and for a silence about to be raised: its rule
      // may have changed since its due time was set (a longer threshold then defers it; a shorter one applies from
      // the SIM's next event on).
      const fresh = due.flatMap((d) => {
        const e = last.get(Number(d.sim_id));
        const talked = e !== undefined && e.lastEventAt.getTime() > new Date(d.last_event_at).getTime();
        if (talked) return [{ simId: Number(d.sim_id), lastEventAt: e.lastEventAt }];
        if (e !== undefined && d.alarm_id === null)
          return [{ simId: Number(d.sim_id), lastEventAt: new Date(d.last_event_at) }];
        return [];
      });
      const thresholds = await deps.thresholdsOf(fresh, now, rules);
      const rulesById = new Map(rules.map((r) => [r.id, r]));
      const inService = await deps.inService(ids);
      const failed = new Map<number, unknown>();
      const handled = await database.rawTransaction((tx) =>
        apply(tx, ids, now, { last, thresholds, inService, rulesById, failed }, out),
      );
      for (const [ruleId, e] of failed) {
        await deps.onRuleError(ruleId, e);
        rules = rules.filter((r) => r.id !== ruleId);
      }
      out.due += handled;
      // Another worker took this batch (locked rows are skipped): what is left is theirs, or due again later.
      if (handled === 0) return out;
    }
  }

  /**
   * The batch's due watches, locked, decided one by one in memory, then written set-based: a statement per kind of
   * change (deletes, clears, moves, rests, deferrals, raises and their events), not per SIM — a mass silence (an
   * outage taking thousands of SIMs off the air at once) is a few statements per TICK_BATCH.
   */
  async function apply(
    tx: RawTx,
    ids: number[],
    now: Date,
    read: {
      last: Map<number, LastEvent>;
      thresholds: Map<number, Threshold>;
      inService: Set<number>;
      rulesById: Map<number, SilenceRule>;
      /** Rules that threw here (reported after the transaction: the rules service writes on its own connection). */
      failed: Map<number, unknown>;
    },
    out: TickOutcome,
  ): Promise<number> {
    const { last, thresholds, inService, rulesById, failed } = read;
    const locked = await tx.query<Locked>(
      `select sim_id::text, tenant_id::text, account_id::text, last_event_at, threshold_ms::text, alarm_id::text, due_at,
              rule_id::text
         from silence_watch where sim_id = any($1::bigint[]) and due_at <= $2
        for update skip locked`,
      [ids, now],
    );
    const gone: number[] = [];
    const clears: Clear[] = [];
    const moves: WatchSet[] = [];
    const rests: WatchSet[] = [];
    const defers: WatchSet[] = [];
    const raises: Raise[] = [];
    for (const w of locked) {
      const simId = Number(w.sim_id);
      const e = last.get(simId);
      // The SIM's network state is gone (the SIM was deleted): nothing to watch.
      if (e === undefined) {
        gone.push(simId);
        continue;
      }
      const seen = new Date(w.last_event_at).getTime();
      if (e.lastEventAt.getTime() > seen) {
        const t = thresholds.get(simId);
        const threshold = t?.ms ?? Number(w.threshold_ms);
        if (w.alarm_id !== null) {
          clears.push(
            movedFrom(w, e)
              ? { w, simId, at: e.lastEventAt, by: 'moved', talkedWith: null }
              : { w, simId, at: e.lastEventAt, by: 'traffic', talkedWith: e.lastEventType },
          );
          out.cleared++;
        }
        moves.push({
          sim_id: simId,
          last_event_at: e.lastEventAt.toISOString(),
          threshold_ms: threshold,
          due_at: new Date(e.lastEventAt.getTime() + threshold).toISOString(),
          tenant_id: e.tenantId,
          account_id: e.accountId,
          rule_id: t ? (t.rule?.id ?? null) : w.rule_id === null ? null : Number(w.rule_id),
        });
        out.moved++;
        continue;
      }
      if (!inService.has(simId)) {
        // Deactivated, retired, not yet in service: its silence is expected. An alarm raised while it was in
        // service is cleared (by its condition: the SIM left service).
        if (w.alarm_id !== null) {
          clears.push({ w, simId, at: now, by: 'out_of_service', talkedWith: null });
          out.cleared++;
        }
        rests.push({ sim_id: simId, due_at: new Date(now.getTime() + RESTING_MS).toISOString() });
        out.resting++;
        continue;
      }
      let threshold = Number(w.threshold_ms);
      let rule = w.rule_id === null ? null : (rulesById.get(Number(w.rule_id)) ?? null);
      const t = w.alarm_id === null ? thresholds.get(simId) : undefined;
      if (t) {
        threshold = t.ms;
        rule = t.rule;
        // The rule that governs it now gives a longer threshold, or its schedule is closed: not news yet.
        let later = seen + threshold;
        if (rule?.schedule && !failed.has(rule.id))
          try {
            later = nextInSchedule(rule.schedule, Math.max(later, now.getTime()));
          } catch (err) {
            // Its schedule cannot be read: the rule is disabled; this silence is judged without it.
            failed.set(rule.id, err);
          }
        if (later > now.getTime()) {
          defers.push({
            sim_id: simId,
            threshold_ms: threshold,
            due_at: new Date(later).toISOString(),
            rule_id: rule?.id ?? null,
          });
          out.deferred++;
          continue;
        }
      }
      const severity = rule ? severityAfter(rule, now.getTime() - seen - threshold) : DEFAULT_SEVERITY;
      raises.push({
        sim_id: String(simId),
        tenant_id: Number(w.tenant_id),
        account_id: Number(w.account_id),
        severity,
        rule_id: rule?.id ?? null,
        open_case: rule?.openCase ?? false,
        details: {
          ...(rule ? { ruleId: rule.id, rule: rule.name } : {}),
          dueAt: new Date(w.due_at).toISOString(),
          lastEventAt: e.lastEventAt.toISOString(),
          lastEventType: e.lastEventType,
          thresholdMinutes: Math.round(threshold / 60_000),
          silentMinutes: Math.floor((now.getTime() - seen) / 60_000),
        },
      });
    }
    if (gone.length > 0) {
      await tx.query('delete from silence_watch where sim_id = any($1::bigint[])', [gone]);
      for (const id of gone) known.delete(id);
    }
    await clearAll(tx, clears);
    await setWatches(tx, moves, 'last_event_at, threshold_ms, due_at, alarm_id, tenant_id, account_id, rule_id');
    await setWatches(tx, rests, 'due_at, alarm_id');
    await setWatches(tx, defers, 'threshold_ms, due_at, rule_id');
    await raiseAll(tx, raises, now, out);
    return locked.length;
  }

  /**
   * The watches' new values, one statement: `columns` are set from each row (alarm_id, when named, to null — a
   * moved or resting watch has no active alarm any more).
   */
  async function setWatches(tx: RawTx, rows: WatchSet[], columns: string) {
    if (rows.length === 0) return;
    const set = columns
      .split(', ')
      .map((c) => (c === 'alarm_id' ? 'alarm_id = null' : `${c} = v.${c}`))
      .join(', ');
    await tx.query(
      `update silence_watch w set ${set}
         from jsonb_to_recordset($1::jsonb) as v(sim_id bigint, last_event_at timestamptz, threshold_ms bigint,
                                                 due_at timestamptz, tenant_id bigint, account_id bigint, rule_id bigint)
        where w.sim_id = v.sim_id`,
      [JSON.stringify(rows)],
    );
  }

  /** Clear the watches' alarms (the SIM talked, or left service) and announce those this cleared. */
  async function clearAll(tx: RawTx, clears: Clear[]) {
    if (clears.length === 0) return;
    const done = await tx.query<{ id: string; severity: string }>(
      `update alarms a set cleared_at = v.at,
              details = a.details || case when v.by = 'traffic'
                then jsonb_build_object('clearedBy', 'traffic', 'talkedAt', v.at, 'talkedWith', v.talked_with)
                else jsonb_build_object('clearedBy', v.by) end
         from jsonb_to_recordset($1::jsonb) as v(id bigint, at timestamptz, by text, talked_with text)
        where a.id = v.id and a.cleared_at is null
        returning a.id::text, a.severity`,
      [JSON.stringify(clears.map((c) => ({ id: c.w.alarm_id, at: c.at, by: c.by, talked_with: c.talkedWith })))],
    );
    const severity = new Map(done.map((d) => [d.id, d.severity]));
    await emitRawMany(
      tx,
      AlarmEvents.cleared,
      clears
        .filter((c) => severity.has(c.w.alarm_id!))
        .map((c) => ({
          payload: {
            alarmId: Number(c.w.alarm_id),
            simId: c.simId,
            tenantId: Number(c.w.tenant_id),
            accountId: Number(c.w.account_id),
            type: 'silence',
            severity: severity.get(c.w.alarm_id!)!,
            at: c.at.toISOString(),
            by: c.by,
          },
          orderingKey: simOrderingKey(c.simId),
        })),
    );
  }

  /**
   * Raise the silences (one active alarm per SIM and type: a silence already alarmed — by this watch, or one staff
   * cleared while it lasts — counts up instead), announce the new ones, and look at each again in RECHECK_MS.
   */
  async function raiseAll(tx: RawTx, raises: Raise[], now: Date, out: TickOutcome) {
    if (raises.length === 0) return;
    const alarms = await tx.query<{ id: string; sim_id: string; fresh: boolean }>(
      `insert into alarms (tenant_id, account_id, originator_type, originator_id, type, severity, first_seen_at,
                           last_seen_at, details, rule_id, case_pending)
       select v.tenant_id, v.account_id, 'sim', v.sim_id, 'silence', v.severity, $2, $2, v.details, v.rule_id,
              v.open_case
         from jsonb_to_recordset($1::jsonb) as v(sim_id text, tenant_id bigint, account_id bigint, severity text,
                                                 details jsonb, rule_id bigint, open_case boolean)
       on conflict (originator_type, originator_id, type) where cleared_at is null
       do update set count = alarms.count + 1, last_seen_at = excluded.last_seen_at, severity = excluded.severity,
                     details = alarms.details || (excluded.details - 'dueAt')
       returning id::text, originator_id as sim_id, (xmax = 0) as fresh`,
      [JSON.stringify(raises), now],
    );
    const byId = new Map(raises.map((r) => [r.sim_id, r]));
    const fresh = alarms.filter((a) => a.fresh);
    out.raised += fresh.length;
    out.repeated += alarms.length - fresh.length;
    await emitRawMany(
      tx,
      AlarmEvents.raised,
      fresh.map((a) => {
        const r = byId.get(a.sim_id)!;
        return {
          payload: {
            alarmId: Number(a.id),
            simId: Number(a.sim_id),
            tenantId: r.tenant_id,
            accountId: r.account_id,
            type: 'silence',
            severity: r.severity,
            at: now.toISOString(),
            details: r.details,
          },
          orderingKey: simOrderingKey(Number(a.sim_id)),
        };
      }),
    );
    await tx.query(
      `update silence_watch w set alarm_id = v.alarm_id, due_at = $2
         from jsonb_to_recordset($1::jsonb) as v(sim_id bigint, alarm_id bigint) where w.sim_id = v.sim_id`,
      [
        JSON.stringify(alarms.map((a) => ({ sim_id: Number(a.sim_id), alarm_id: Number(a.id) }))),
        new Date(now.getTime() + RECHECK_MS),
      ],
    );
  }

  return { watch, tick };
}
