/**
 * The silence watch (issue 17, rule "silence"): a SIM whose silence outlasts its own rhythm raises an alarm at the
 * instant it does, fired by a timer, never by the SIM's next message (ThingsBoard's "no data for N minutes" fires
 * late or when the device reconnects: its users' most reported alarm problem).
 *
 * - Each SIM that has talked has one `silence_watch` row, due at its last event + its threshold (the same rule as
 *   the diagnosis' "silent" warning over its rhythm of the last 14 days, `diagnosis.silenceThresholds`).
 * - `tick` reads what is due (index on due_at: the work is what falls due, never the fleet), reads those SIMs' last
 *   events from ingest, and in one transaction per batch, with the due rows locked (SKIP LOCKED, due time checked
 *   again), either moves the due time on (the SIM talked since) or raises the alarm. Several worker processes tick
 *   side by side: a row is handled by one of them, once.
 * - A raised alarm is checked again every RECHECK_MS while the silence lasts (its count grows: "still silent"), and
 *   cleared by the first check after the SIM talks again.
 */
import type { Database, RawTx } from '../../platform/db/client.ts';
import { emitRaw } from '../../platform/events/emit.ts';
import { simOrderingKey } from '../sims/sims.events.ts';
import { AlarmEvents } from './alarms.events.ts';
import { nextInSchedule, type SilenceRule, severityAfter } from './rules.ts';
import type { Threshold } from './silence-rules.ts';

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

  /** Start watching SIMs that talked (ids from ingest's batch event); a SIM already watched is left as it is. */
  async function watch(simIds: readonly number[], at: Date): Promise<number> {
    if (simIds.length === 0) return 0;
    const last = await deps.lastEventsOf(simIds);
    const ids = [...last.keys()];
    if (ids.length === 0) return 0;
    const thresholds = await deps.thresholdsOf(
      ids.map((simId) => ({ simId, lastEventAt: last.get(simId)!.lastEventAt })),
      at,
      await deps.rules(),
    );
    const rows = ids.map((id) => {
      const e = last.get(id)!;
      const threshold = thresholds.get(id)!;
      return {
        sim_id: id,
        tenant_id: e.tenantId,
        account_id: e.accountId,
        last_event_at: e.lastEventAt.toISOString(),
        threshold_ms: threshold.ms,
        due_at: new Date(e.lastEventAt.getTime() + threshold.ms).toISOString(),
        rule_id: threshold.rule?.id ?? null,
      };
    });
    const r = await database.query<{ n: number }>(
      `with v as (select * from jsonb_to_recordset($1::jsonb)
                    as x(sim_id bigint, tenant_id bigint, account_id bigint, last_event_at timestamptz,
                         threshold_ms bigint, due_at timestamptz, rule_id bigint)),
            ins as (insert into silence_watch (sim_id, tenant_id, account_id, last_event_at, threshold_ms, due_at,
                                               rule_id)
                    select sim_id, tenant_id, account_id, last_event_at, threshold_ms, due_at, rule_id from v
                    on conflict (sim_id) do nothing returning 1)
       select count(*)::int as n from ins`,
      [JSON.stringify(rows)],
    );
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
    const locked = await tx.query<DueRow & { tenant_id: string; account_id: string }>(
      `select sim_id::text, tenant_id::text, account_id::text, last_event_at, threshold_ms::text, alarm_id::text, due_at,
              rule_id::text
         from silence_watch where sim_id = any($1::bigint[]) and due_at <= $2
        for update skip locked`,
      [ids, now],
    );
    for (const w of locked) {
      const simId = Number(w.sim_id);
      const e = last.get(simId);
      if (e === undefined) {
        // The SIM's network state is gone (the SIM was deleted): nothing to watch.
        await tx.query('delete from silence_watch where sim_id = $1', [simId]);
        continue;
      }
      const seen = new Date(w.last_event_at).getTime();
      if (e.lastEventAt.getTime() > seen) {
        const t = thresholds.get(simId);
        const threshold = t?.ms ?? Number(w.threshold_ms);
        const ruleId = t ? (t.rule?.id ?? null) : w.rule_id;
        if (w.alarm_id !== null) {
          const done = await tx.query<{ severity: string }>(
            `update alarms set cleared_at = $2, details = details || jsonb_build_object('clearedBy', 'traffic',
                    'talkedAt', $2::timestamptz, 'talkedWith', $3::text)
              where id = $1 and cleared_at is null returning severity`,
            [w.alarm_id, e.lastEventAt, e.lastEventType],
          );
          if (done[0]) await announceCleared(tx, w, simId, done[0].severity, e.lastEventAt, 'traffic');
          out.cleared++;
        }
        await tx.query(
          `update silence_watch set last_event_at = $2, threshold_ms = $3, due_at = $4, alarm_id = null,
                  tenant_id = $5, account_id = $6, rule_id = $7 where sim_id = $1`,
          [
            simId,
            e.lastEventAt,
            threshold,
            new Date(e.lastEventAt.getTime() + threshold),
            e.tenantId,
            e.accountId,
            ruleId,
          ],
        );
        out.moved++;
        continue;
      }
      if (!inService.has(simId)) {
        // Deactivated, retired, not yet in service: its silence is expected. An alarm raised while it was in
        // service is cleared (by its condition: the SIM left service).
        if (w.alarm_id !== null) {
          const done = await tx.query<{ severity: string }>(
            `update alarms set cleared_at = $2, details = details || '{"clearedBy": "out_of_service"}'::jsonb
              where id = $1 and cleared_at is null returning severity`,
            [w.alarm_id, now],
          );
          if (done[0]) await announceCleared(tx, w, simId, done[0].severity, now, 'out_of_service');
          out.cleared++;
        }
        await tx.query('update silence_watch set alarm_id = null, due_at = $2 where sim_id = $1', [
          simId,
          new Date(now.getTime() + RESTING_MS),
        ]);
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
          } catch (e) {
            // Its schedule cannot be read: the rule is disabled; this silence is judged without it.
            failed.set(rule.id, e);
          }
        if (later > now.getTime()) {
          await tx.query('update silence_watch set threshold_ms = $2, due_at = $3, rule_id = $4 where sim_id = $1', [
            simId,
            threshold,
            new Date(later),
            rule?.id ?? null,
          ]);
          out.deferred++;
          continue;
        }
      }
      const severity = rule ? severityAfter(rule, now.getTime() - seen - threshold) : DEFAULT_SEVERITY;
      const details = {
        ...(rule ? { ruleId: rule.id, rule: rule.name } : {}),
        dueAt: new Date(w.due_at).toISOString(),
        lastEventAt: e.lastEventAt.toISOString(),
        lastEventType: e.lastEventType,
        thresholdMinutes: Math.round(threshold / 60_000),
        silentMinutes: Math.floor((now.getTime() - seen) / 60_000),
      };
      // One active alarm per SIM and type: a silence already alarmed (by this watch, or one staff cleared while it
      // lasts) counts up instead of raising a second.
      const [alarm] = await tx.query<{ id: string; fresh: boolean }>(
        `insert into alarms (tenant_id, account_id, originator_type, originator_id, type, severity, first_seen_at,
                             last_seen_at, details, rule_id, case_pending)
         values ($1, $2, 'sim', $3, 'silence', $6, $4, $4, $5::jsonb, $7, $8)
         on conflict (originator_type, originator_id, type) where cleared_at is null
         do update set count = alarms.count + 1, last_seen_at = excluded.last_seen_at, severity = excluded.severity,
                       details = alarms.details || (excluded.details - 'dueAt')
         returning id::text, (xmax = 0) as fresh`,
        [
          w.tenant_id,
          w.account_id,
          String(simId),
          now,
          JSON.stringify(details),
          severity,
          rule?.id ?? null,
          rule?.openCase ?? false,
        ],
      );
      if (alarm?.fresh) {
        out.raised++;
        await emitRaw(
          tx,
          AlarmEvents.raised,
          {
            alarmId: Number(alarm.id),
            simId,
            tenantId: Number(w.tenant_id),
            accountId: Number(w.account_id),
            type: 'silence',
            severity,
            at: now.toISOString(),
            details,
          },
          { orderingKey: simOrderingKey(simId) },
        );
      } else out.repeated++;
      await tx.query('update silence_watch set alarm_id = $2, due_at = $3 where sim_id = $1', [
        simId,
        alarm?.id,
        new Date(now.getTime() + RECHECK_MS),
      ]);
    }
    return locked.length;
  }

  /** The cleared event of a watch's alarm, in the same transaction (webhooks: alarm.cleared). */
  async function announceCleared(
    tx: RawTx,
    w: { alarm_id: string | null; tenant_id: string; account_id: string },
    simId: number,
    severity: string,
    at: Date,
    by: 'traffic' | 'out_of_service',
  ) {
    await emitRaw(
      tx,
      AlarmEvents.cleared,
      {
        alarmId: Number(w.alarm_id),
        simId,
        tenantId: Number(w.tenant_id),
        accountId: Number(w.account_id),
        type: 'silence',
        severity,
        at: at.toISOString(),
        by,
      },
      { orderingKey: simOrderingKey(simId) },
    );
  }

  return { watch, tick };
}
