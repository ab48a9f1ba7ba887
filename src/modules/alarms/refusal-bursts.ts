/**
 * Refusal bursts (issue 17.1): a SIM the network refused `count` times within `windowMinutes` (of the rule's causes,
 * attach and/or session) raises an alarm at once — the APN typed wrong on a device, a SIM barred, a partner refusing
 * roaming — minutes after it began, not when the customer calls. A device refused for a cause no retry cures backs
 * off to tens of minutes, so a window rarely fills for it: the rule's `streak` catches it instead — refused that many
 * times in a row, with no accepted attempt of the same kind (an attach for attach refusals, a session start for
 * session refusals) between them, within `streakHours`. Evaluated when ingest stores refusals (its batch event names
 * the refused ICCIDs); one active alarm per SIM (a burst that goes on counts up). Cleared with hysteresis: once the
 * SIM was accepted again for the kind it was refused (its last event says so) and refused no more for clearMinutes.
 */
import type { Database, RawTx } from '../../platform/db/client.ts';
import { emitRaw, emitRawMany } from '../../platform/events/emit.ts';
import { causeLabel } from '../network/causes.ts';
import { simOrderingKey } from '../sims/sims.events.ts';
import { AlarmEvents } from './alarms.events.ts';
import { type RuleScope, ruleFor, type SimProfile, severityAfter } from './rules.ts';
import { type LastEvent, movedFrom } from './silence-watch.ts';

export type RefusalParams = {
  count: number;
  windowMinutes: number;
  causes: number[];
  attempts: ('attach' | 'session')[];
  clearMinutes: number;
  /** Refused this many times in a row without being accepted (null or absent: off; rules saved before it). */
  streak?: number | null | undefined;
  /** How far back a streak is looked for (its refusals and the acceptance that ends it). */
  streakHours?: number | undefined;
  /**
   * A shorter streak for a cause no retry cures (PERMANENT_CAUSES): this many in a row of that one cause on one
   * network (null or absent: off; rules saved before it).
   */
  permanentStreak?: number | null | undefined;
};
export type RefusalRule = {
  id: number;
  name: string;
  scope: RuleScope;
  params: RefusalParams;
  severity: string;
  escalation: { afterMinutes: number; severity: string } | null;
  openCase: boolean;
};
type RefusalType = 'attach_rejected' | 'session_rejected';
/** A network attempt of a SIM as the rules read it: a refusal, or (for streaks) an accepted attach/session start. */
export type Attempt = {
  simId: number;
  tenantId: number;
  accountId: number;
  ts: Date;
  type: RefusalType | 'attach' | 'session_start';
  cause: number | null;
  plmn: string | null;
  apn: string | null;
};
export type Refusal = Attempt & { type: RefusalType };
type Timed = Pick<Attempt, 'ts' | 'type' | 'cause'> & { plmn?: string | null };

export const DEFAULT_STREAK_HOURS = 6;
/** Active bursts a clear tick reads a page, and pages at most (5,000 a tick; the rest at the next). */
const CLEAR_PAGE = 500;
const CLEAR_PAGES = 10;
type ActiveBurst = {
  id: string;
  originator_id: string;
  tenant_id: string;
  account_id: string;
  severity: string;
  last_seen_at: Date;
  seen_text: string;
  clear_minutes: number | null;
  last_type: string | null;
};
const SESSION_TRAFFIC = new Set(['session_start', 'session_update', 'session_end']);
const ATTEMPT_OF = { attach_rejected: 'attach', session_rejected: 'session' } as const;
/** The accepted attempt that ends a streak of refusals of that kind. */
const ACCEPTED_BY = { attach_rejected: 'attach', session_rejected: 'session_start' } as const;
const isRefusal = <R extends Timed>(r: R): r is R & { type: RefusalType } =>
  r.type === 'attach_rejected' || r.type === 'session_rejected';
const matches = (p: RefusalParams, r: Timed): r is Timed & { type: RefusalType } =>
  isRefusal(r) &&
  p.attempts.includes(ATTEMPT_OF[r.type]) &&
  (p.causes.length === 0 || (r.cause !== null && p.causes.includes(r.cause)));
/**
 * Causes no retry cures (3GPP TS 24.301): the subscription, the device or its configuration must change first —
 * EMM (attach) 2 IMSI unknown, 3 illegal UE, 5 IMEI not accepted, 6 illegal ME, 7/8 services not allowed, 11 PLMN
 * not allowed; ESM (session) 8 operator barring, 27 missing or unknown APN, 29 authentication failed, 33 not
 * subscribed. A device refused for one of them backs off for tens of minutes between retries, so a streak of 3 takes
 * it an hour to fill; two of the same cause on the same network is already the fault. A device steered away from a
 * network (11, 13, 15 on one network, then accepted on the next) never makes two in a row: its acceptance between
 * ends the streak. Transient causes (congestion 22, network failure 17/38, no suitable cells 15) are not here.
 */
export const PERMANENT_CAUSES: Readonly<Record<RefusalType, ReadonlySet<number>>> = {
  attach_rejected: new Set([2, 3, 5, 6, 7, 8, 11]),
  session_rejected: new Set([8, 27, 29, 33]),
};
const streakOn = (p: RefusalParams) => (p.streak ?? 0) >= 1 || (p.permanentStreak ?? 0) >= 1;
const isPermanent = (r: Timed & { type: RefusalType }) => r.cause !== null && PERMANENT_CAUSES[r.type].has(r.cause);
/** How far back the rule reads a SIM's attempts. */
export const lookbackMinutes = (p: RefusalParams) =>
  Math.max(p.windowMinutes, streakOn(p) ? (p.streakHours ?? DEFAULT_STREAK_HOURS) * 60 : 0);

export type Burst<R> = { refusals: R[]; condition: 'window' | 'streak'; acceptedAt: Date | null };

/**
 * The burst ending at the newest matching refusal, or null when it is not one: `count` within the window, else (with
 * a streak) the refusals of its kind since the last accepted attempt of that kind, within streakHours.
 */
export function burstAt<R extends Timed>(p: RefusalParams, attempts: readonly R[]): Burst<R> | null {
  const sorted = [...attempts].sort((a, b) => a.ts.getTime() - b.ts.getTime());
  for (let i = sorted.length - 1; i >= 0; i--) if (matches(p, sorted[i]!)) return burstEnding(p, sorted, i);
  return null;
}

/** The burst that the refusal at `i` of these time-ordered attempts completes or continues (null: none). */
function burstEnding<R extends Timed>(p: RefusalParams, sorted: readonly R[], i: number): Burst<R> | null {
  const last = sorted[i]!;
  if (!matches(p, last)) return null;
  const end = last.ts.getTime();
  const windowStart = end - p.windowMinutes * 60_000;
  const streakStart = streakOn(p) ? end - (p.streakHours ?? DEFAULT_STREAK_HOURS) * 3_600_000 : end;
  const inWindow: R[] = [];
  const streak: R[] = [];
  let accepted: R | undefined;
  // Backwards from the refusal: the window's refusals, and the streak's up to the acceptance that ends it.
  for (let k = i; k >= 0; k--) {
    const r = sorted[k]!;
    const t = r.ts.getTime();
    if (t <= windowStart && t <= streakStart) break;
    if (t > windowStart && matches(p, r)) inWindow.push(r);
    if (t > streakStart && accepted === undefined) {
      if (r.type === ACCEPTED_BY[last.type]) accepted = r;
      else if (r.type === last.type && matches(p, r)) streak.push(r);
    }
  }
  if (inWindow.length >= p.count) return { refusals: inWindow.reverse(), condition: 'window', acceptedAt: null };
  const acceptedAt = accepted ? accepted.ts : null;
  if ((p.streak ?? 0) >= 1 && streak.length >= p.streak!)
    return { refusals: streak.reverse(), condition: 'streak', acceptedAt };
  // The newest refusals of one permanent cause on one network, back to the first that differs.
  const n = p.permanentStreak ?? 0;
  if (n >= 1 && isPermanent(last)) {
    let same = 0;
    while (
      same < streak.length &&
      streak[same]!.cause === last.cause &&
      (streak[same]!.plmn ?? null) === (last.plmn ?? null)
    )
      same++;
    if (same >= n) return { refusals: streak.slice(0, same).reverse(), condition: 'streak', acceptedAt };
  }
  return null;
}

/**
 * The alarms the rule would have raised between `from` and `to` on one SIM's attempts (the backtest): a burst fires
 * at the refusal that completes it; the alarm then stands (counting the refusals that follow) until clearMinutes pass
 * without a matching refusal (the backtest sees refusals and acceptances only: the live clear also waits for the SIM
 * to be accepted).
 */
export function burstsOf(
  p: RefusalParams,
  attempts: readonly Timed[],
  from: number,
  to: number,
): { at: number; refusals: number }[] {
  const sorted = [...attempts].sort((a, b) => a.ts.getTime() - b.ts.getTime());
  const out: { at: number; refusals: number }[] = [];
  let activeUntil = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < sorted.length; i++) {
    const r = sorted[i]!;
    if (!matches(p, r)) continue;
    const t = r.ts.getTime();
    if (t < activeUntil) {
      // The burst goes on: its alarm counts the refusal (an alarm fired before `from` is not the window's).
      activeUntil = t + p.clearMinutes * 60_000;
      const last = out[out.length - 1];
      if (last && last.at >= from) last.refusals++;
      continue;
    }
    const burst = burstEnding(p, sorted, i);
    if (burst) {
      if (t >= from && t < to) out.push({ at: t, refusals: burst.refusals.length });
      activeUntil = t + p.clearMinutes * 60_000;
    }
  }
  return out;
}

export type RefusalDeps = {
  database: Database;
  rules: () => Promise<RefusalRule[]>;
  /** Refusals of these ICCIDs since `since`; with `acceptances`, their accepted attaches and session starts too. */
  refusalsOf: (iccids: readonly string[], since: Date, acceptances?: boolean) => Promise<Attempt[]>;
  profilesOf: (simIds: readonly number[]) => Promise<Map<number, SimProfile>>;
  lastEventsOf: (simIds: readonly number[]) => Promise<Map<number, LastEvent>>;
  /** A rule threw while applied: disabled (the other rules go on). */
  onRuleError: (ruleId: number, error: unknown) => Promise<void>;
};

export function refusalBursts(deps: RefusalDeps) {
  const { database } = deps;

  /** Ingest stored refusals of these ICCIDs: raise or count up the alarms of the SIMs now in a burst. */
  async function onRefusals(iccids: readonly string[], now: Date): Promise<{ raised: number; repeated: number }> {
    const out = { raised: 0, repeated: 0 };
    if (iccids.length === 0) return out;
    const rules = await deps.rules();
    if (rules.length === 0) return out;
    const longest = Math.max(...rules.map((r) => lookbackMinutes(r.params)));
    const attempts = await deps.refusalsOf(
      iccids,
      new Date(now.getTime() - longest * 60_000),
      rules.some((r) => streakOn(r.params)),
    );
    const bySim = new Map<number, Attempt[]>();
    for (const r of attempts) {
      const l = bySim.get(r.simId);
      if (l) l.push(r);
      else bySim.set(r.simId, [r]);
    }
    // SIMs with only acceptances in the batch's lookback are no burst.
    for (const [simId, list] of bySim) if (!list.some(isRefusal)) bySim.delete(simId);
    if (bySim.size === 0) return out;
    const profiles = await deps.profilesOf([...bySim.keys()]);
    const failed = new Map<number, unknown>();
    const bursts: { rule: RefusalRule; last: Refusal; details: Record<string, unknown> }[] = [];
    for (const [simId, list] of bySim) {
      const p = profiles.get(simId);
      const rule = p && ruleFor(rules, p);
      if (!rule || failed.has(rule.id)) continue;
      let found: Burst<Attempt> | null;
      try {
        found = burstAt(rule.params, list);
      } catch (e) {
        failed.set(rule.id, e);
        continue;
      }
      if (!found) continue;
      const burst = found.refusals as Refusal[];
      const first = burst[0]!;
      const last = burst[burst.length - 1]!;
      const details = {
        ruleId: rule.id,
        rule: rule.name,
        refusals: burst.length,
        // Which condition made it: `refusals` within `windowMinutes`, or in a row, not accepted since `acceptedAt`.
        condition: found.condition,
        windowMinutes: rule.params.windowMinutes,
        ...(found.condition === 'streak' ? { acceptedAt: found.acceptedAt?.toISOString() ?? null } : {}),
        firstAt: first.ts.toISOString(),
        lastAt: last.ts.toISOString(),
        lastType: last.type,
        cause: last.cause,
        causeLabel: last.cause === null ? null : causeLabel(last.type, last.cause),
        plmn: last.plmn,
        apn: last.apn,
      };
      bursts.push({ rule, last, details });
    }
    // One transaction for the batch's bursts (a subscriber on the ingest path: not one per SIM).
    if (bursts.length > 0)
      await database.rawTransaction(async (tx) => {
        for (const b of bursts) {
          if (await upsert(tx, b.rule, b.last, b.details, now)) out.raised++;
          else out.repeated++;
        }
      });
    for (const [ruleId, e] of failed) await deps.onRuleError(ruleId, e);
    return out;
  }

  async function upsert(
    tx: RawTx,
    rule: RefusalRule,
    last: Refusal,
    details: Record<string, unknown>,
    now: Date,
  ): Promise<boolean> {
    // The SIM moved to another account since its burst was raised: that alarm stays its old account's, cleared, and
    // these refusals (the new account's) raise one of their own rather than being counted into it.
    const [moved] = await tx.query<{ id: string; severity: string; tenant_id: string; account_id: string }>(
      `update alarms set cleared_at = $4, details = details || '{"clearedBy": "moved"}'::jsonb
        where originator_type = 'sim' and originator_id = $1 and type = 'refusal_burst' and cleared_at is null
          and (tenant_id <> $2 or account_id <> $3)
        returning id::text, severity, tenant_id::text, account_id::text`,
      [String(last.simId), last.tenantId, last.accountId, now],
    );
    if (moved)
      await emitRaw(
        tx,
        AlarmEvents.cleared,
        {
          alarmId: Number(moved.id),
          simId: last.simId,
          tenantId: Number(moved.tenant_id),
          accountId: Number(moved.account_id),
          type: 'refusal_burst',
          severity: moved.severity,
          at: now.toISOString(),
          by: 'moved',
        },
        { orderingKey: simOrderingKey(last.simId) },
      );
    const [a] = await tx.query<{ id: string; fresh: boolean; severity: string; first_seen_at: Date }>(
      `insert into alarms (tenant_id, account_id, originator_type, originator_id, type, severity, first_seen_at,
                           last_seen_at, details, rule_id, case_pending)
       values ($1, $2, 'sim', $3, 'refusal_burst', $4, $5, $5, $6::jsonb, $7, $8)
       on conflict (originator_type, originator_id, type) where cleared_at is null
       do update set count = alarms.count + 1, last_seen_at = excluded.last_seen_at,
                     details = alarms.details || (excluded.details - 'firstAt')
       returning id::text, (xmax = 0) as fresh, severity, first_seen_at`,
      [
        last.tenantId,
        last.accountId,
        String(last.simId),
        rule.severity,
        now,
        JSON.stringify(details),
        rule.id,
        rule.openCase,
      ],
    );
    if (!a) return false;
    if (!a.fresh) {
      // Still refused: the severity may have escalated since it was raised.
      const severity = severityAfter(rule, now.getTime() - new Date(a.first_seen_at).getTime());
      if (severity !== a.severity) await tx.query('update alarms set severity = $2 where id = $1', [a.id, severity]);
      return false;
    }
    await emitRaw(
      tx,
      AlarmEvents.raised,
      {
        alarmId: Number(a.id),
        simId: last.simId,
        tenantId: last.tenantId,
        accountId: last.accountId,
        type: 'refusal_burst',
        severity: rule.severity,
        at: now.toISOString(),
        details,
      },
      { orderingKey: simOrderingKey(last.simId) },
    );
    return true;
  }

  /**
   * Was the SIM accepted again for the kind it was refused, going by its newest event (newer than its newest refusal)?
   * After session refusals only session traffic says so: a device refused a session (an APN typed wrong) may attach
   * between its retries, and a streak's retries are tens of minutes apart — an attach must not clear it in the gap.
   */
  function acceptedFor(refusedType: string | null, lastEventType: string): boolean {
    if (lastEventType.endsWith('_rejected')) return false;
    return refusedType === 'session_rejected' ? SESSION_TRAFFIC.has(lastEventType) : true;
  }

  /**
   * Active bursts whose SIM was accepted again and refused no more for its rule's clearMinutes: cleared by their
   * condition. Looks only at bursts not seen for a minute (the active alarms of bursts still going on are left).
   */
  async function clearTick(now: Date): Promise<number> {
    let cleared = 0;
    // Page by (last_seen_at, id): bursts whose SIM stays refused (or silent) must not hide the ones after them.
    // The cursor's time as PostgreSQL's text: a JavaScript Date would drop its microseconds, and the page would repeat.
    let after: { at: string; id: string } | null = null;
    for (let page = 0; page < CLEAR_PAGES; page++) {
      const active: ActiveBurst[] = await database.query<ActiveBurst>(
        `select a.id::text, a.originator_id, a.tenant_id::text, a.account_id::text, a.severity, a.last_seen_at,
                a.last_seen_at::text as seen_text, (r.params->>'clearMinutes')::int as clear_minutes,
                a.details->>'lastType' as last_type
           from alarms a left join alarm_rules r on r.id = a.rule_id
          where a.cleared_at is null and a.type = 'refusal_burst' and a.last_seen_at < $1
            and ($2::timestamptz is null or (a.last_seen_at, a.id) > ($2::timestamptz, $3::bigint))
          order by a.last_seen_at, a.id limit $4`,
        [new Date(now.getTime() - 60_000), after?.at ?? null, after?.id ?? 0, CLEAR_PAGE],
      );
      if (active.length === 0) break;
      cleared += await clearPage(active, now);
      if (active.length < CLEAR_PAGE) break;
      const last = active[active.length - 1]!;
      after = { at: last.seen_text, id: last.id };
    }
    return cleared;
  }

  /** Of one page of active bursts, those accepted again and quiet for clearMinutes: cleared in one statement. */
  async function clearPage(active: ActiveBurst[], now: Date): Promise<number> {
    const last = await deps.lastEventsOf(active.map((a) => Number(a.originator_id)));
    const due = active.flatMap((a) => {
      const e = last.get(Number(a.originator_id));
      const clearMs = (a.clear_minutes ?? 15) * 60_000;
      const accepted = e !== undefined && acceptedFor(a.last_type, e.lastEventType);
      const quietSince = e?.lastRejectAt ? e.lastRejectAt.getTime() : new Date(a.last_seen_at).getTime();
      return accepted && now.getTime() - quietSince >= clearMs ? [{ a, e: e!, moved: movedFrom(a, e!) }] : [];
    });
    if (due.length === 0) return 0;
    return database.rawTransaction(async (tx) => {
      const done = await tx.query<{ id: string }>(
        `update alarms a set cleared_at = $2, details = a.details || case when v.moved
                then '{"clearedBy": "moved"}'::jsonb
                else jsonb_build_object('clearedBy', 'traffic', 'acceptedWith', v.type, 'acceptedAt', v.at) end
           from jsonb_to_recordset($1::jsonb) as v(id bigint, type text, at timestamptz, moved boolean)
          where a.id = v.id and a.cleared_at is null returning a.id::text`,
        [
          JSON.stringify(due.map(({ a, e, moved }) => ({ id: a.id, type: e.lastEventType, at: e.lastEventAt, moved }))),
          now,
        ],
      );
      const ids = new Set(done.map((d) => d.id));
      await emitRawMany(
        tx,
        AlarmEvents.cleared,
        due
          .filter(({ a }) => ids.has(a.id))
          .map(({ a, moved }) => ({
            payload: {
              alarmId: Number(a.id),
              simId: Number(a.originator_id),
              tenantId: Number(a.tenant_id),
              accountId: Number(a.account_id),
              type: 'refusal_burst',
              severity: a.severity,
              at: now.toISOString(),
              // Accepted under another account: that it was is the new account's fact, not this alarm's.
              by: moved ? ('moved' as const) : ('traffic' as const),
            },
            orderingKey: simOrderingKey(Number(a.originator_id)),
          })),
      );
      return done.length;
    });
  }

  return { onRefusals, clearTick };
}
