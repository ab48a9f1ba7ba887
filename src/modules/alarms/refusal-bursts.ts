/**
 * Refusal bursts (issue 17.1): a SIM the network refused `count` times within `windowMinutes` (of the rule's causes,
 * attach and/or session) raises an alarm at once — the APN typed wrong on a device, a SIM barred, a partner refusing
 * roaming — minutes after it began, not when the customer calls. Evaluated when ingest stores refusals (its batch
 * event names the refused ICCIDs); one active alarm per SIM (a burst that goes on counts up). Cleared with
 * hysteresis: once the SIM was accepted again (its last event is no refusal) and refused no more for clearMinutes.
 */
import type { Database, RawTx } from '../../platform/db/client.ts';
import { emitRaw } from '../../platform/events/emit.ts';
import { causeLabel } from '../network/causes.ts';
import { simOrderingKey } from '../sims/sims.events.ts';
import { AlarmEvents } from './alarms.events.ts';
import { type RuleScope, ruleFor, type SimProfile, severityAfter } from './rules.ts';
import type { LastEvent } from './silence-watch.ts';

export type RefusalParams = {
  count: number;
  windowMinutes: number;
  causes: number[];
  attempts: ('attach' | 'session')[];
  clearMinutes: number;
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
export type Refusal = {
  simId: number;
  tenantId: number;
  accountId: number;
  ts: Date;
  type: 'attach_rejected' | 'session_rejected';
  cause: number | null;
  plmn: string | null;
  apn: string | null;
};

const ATTEMPT_OF = { attach_rejected: 'attach', session_rejected: 'session' } as const;
const matches = (p: RefusalParams, r: Pick<Refusal, 'type' | 'cause'>) =>
  p.attempts.includes(ATTEMPT_OF[r.type]) &&
  (p.causes.length === 0 || (r.cause !== null && p.causes.includes(r.cause)));

/** The burst ending at the newest matching refusal (its refusals, oldest first), or null when it is not one. */
export function burstAt<R extends Pick<Refusal, 'ts' | 'type' | 'cause'>>(p: RefusalParams, refusals: readonly R[]) {
  const mine = refusals.filter((r) => matches(p, r)).sort((a, b) => a.ts.getTime() - b.ts.getTime());
  const last = mine[mine.length - 1];
  if (!last) return null;
  const inWindow = mine.filter((r) => r.ts.getTime() > last.ts.getTime() - p.windowMinutes * 60_000);
  return inWindow.length >= p.count ? inWindow : null;
}

/**
 * The alarms the rule would have raised between `from` and `to` on one SIM's refusals (the backtest): a burst
 * fires at the refusal that completes it; the alarm then stands (counting the refusals that follow) until
 * clearMinutes pass without a matching refusal (the backtest sees refusals only: the live clear also waits for the
 * SIM to be accepted).
 */
export function burstsOf(
  p: RefusalParams,
  refusals: readonly Pick<Refusal, 'ts' | 'type' | 'cause'>[],
  from: number,
  to: number,
): { at: number; refusals: number }[] {
  const mine = refusals
    .filter((r) => matches(p, r))
    .map((r) => r.ts.getTime())
    .sort((a, b) => a - b);
  const out: { at: number; refusals: number }[] = [];
  let activeUntil = Number.NEGATIVE_INFINITY;
  let start = 0;
  for (let i = 0; i < mine.length; i++) {
    const t = mine[i]!;
    while (mine[start]! <= t - p.windowMinutes * 60_000) start++;
    if (t < activeUntil) {
      // The burst goes on: its alarm counts the refusal (an alarm fired before `from` is not the window's).
      activeUntil = t + p.clearMinutes * 60_000;
      const last = out[out.length - 1];
      if (last && last.at >= from) last.refusals++;
      continue;
    }
    if (i - start + 1 >= p.count) {
      if (t >= from && t < to) out.push({ at: t, refusals: i - start + 1 });
      activeUntil = t + p.clearMinutes * 60_000;
    }
  }
  return out;
}

export type RefusalDeps = {
  database: Database;
  rules: () => Promise<RefusalRule[]>;
  refusalsOf: (iccids: readonly string[], since: Date) => Promise<Refusal[]>;
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
    const longest = Math.max(...rules.map((r) => r.params.windowMinutes));
    const refusals = await deps.refusalsOf(iccids, new Date(now.getTime() - longest * 60_000));
    const bySim = new Map<number, Refusal[]>();
    for (const r of refusals) {
      const l = bySim.get(r.simId);
      if (l) l.push(r);
      else bySim.set(r.simId, [r]);
    }
    if (bySim.size === 0) return out;
    const profiles = await deps.profilesOf([...bySim.keys()]);
    const failed = new Map<number, unknown>();
    const bursts: { rule: RefusalRule; last: Refusal; details: Record<string, unknown> }[] = [];
    for (const [simId, list] of bySim) {
      const p = profiles.get(simId);
      const rule = p && ruleFor(rules, p);
      if (!rule || failed.has(rule.id)) continue;
      let burst: Refusal[] | null;
      try {
        burst = burstAt(rule.params, list);
      } catch (e) {
        failed.set(rule.id, e);
        continue;
      }
      if (!burst) continue;
      const first = burst[0]!;
      const last = burst[burst.length - 1]!;
      const details = {
        ruleId: rule.id,
        rule: rule.name,
        refusals: burst.length,
        windowMinutes: rule.params.windowMinutes,
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
   * Active bursts whose SIM was accepted again and refused no more for its rule's clearMinutes: cleared by their
   * condition. Looks only at bursts not seen for a minute (the active alarms of bursts still going on are left).
   */
  async function clearTick(now: Date): Promise<number> {
    const active = await database.query<{
      id: string;
      originator_id: string;
      tenant_id: string;
      account_id: string;
      severity: string;
      last_seen_at: Date;
      clear_minutes: number | null;
    }>(
      `select a.id::text, a.originator_id, a.tenant_id::text, a.account_id::text, a.severity, a.last_seen_at,
              (r.params->>'clearMinutes')::int as clear_minutes
         from alarms a left join alarm_rules r on r.id = a.rule_id
        where a.cleared_at is null and a.type = 'refusal_burst' and a.last_seen_at < $1
        order by a.last_seen_at limit 500`,
      [new Date(now.getTime() - 60_000)],
    );
    if (active.length === 0) return 0;
    const last = await deps.lastEventsOf(active.map((a) => Number(a.originator_id)));
    let cleared = 0;
    for (const a of active) {
      const e = last.get(Number(a.originator_id));
      const clearMs = (a.clear_minutes ?? 15) * 60_000;
      const accepted = e !== undefined && !e.lastEventType.endsWith('_rejected');
      const quietSince = e?.lastRejectAt ? e.lastRejectAt.getTime() : new Date(a.last_seen_at).getTime();
      if (!accepted || now.getTime() - quietSince < clearMs) continue;
      await database.rawTransaction(async (tx) => {
        const done = await tx.query<{ id: string }>(
          `update alarms set cleared_at = $2, details = details || jsonb_build_object('clearedBy', 'traffic',
                  'acceptedWith', $3::text, 'acceptedAt', $4::timestamptz)
            where id = $1 and cleared_at is null returning id::text`,
          [a.id, now, e!.lastEventType, e!.lastEventAt],
        );
        if (!done[0]) return;
        cleared++;
        await emitRaw(
          tx,
          AlarmEvents.cleared,
          {
            alarmId: Number(a.id),
            simId: Number(a.originator_id),
            tenantId: Number(a.tenant_id),
            accountId: Number(a.account_id),
            type: 'refusal_burst',
            severity: a.severity,
            at: now.toISOString(),
            by: 'traffic',
          },
          { orderingKey: simOrderingKey(Number(a.originator_id)) },
        );
      });
    }
    return cleared;
  }

  return { onRefusals, clearTick };
}
