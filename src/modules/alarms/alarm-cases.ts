/**
 * Alarm → case, and reminders (issue 17.3). An alarm whose rule opens cases is left `case_pending`; a worker's pass
 * takes the pending alarms (claimed by an update with SKIP LOCKED: each alarm by one worker), groups them by account
 * and cause, and for each group opens a case (channel monitoring, the SIMs set — the case's diagnosis follows from
 * that, and its customer is told by e-mail in their language) or adds the SIMs to the case already open for that
 * account and cause (alarm_cases: one current case per account and cause, its unique index making one worker the
 * opener). A second pass reminds the desk of alarms nobody acknowledged, every rule's remindMinutes.
 */
import type { Database } from '../../platform/db/client.ts';

/** A claim older than this is a worker that died mid-pass: the alarm is taken again. */
export const CLAIM_STALE_MS = 5 * 60_000;
/** Alarms taken per pass. */
export const CASE_BATCH = 500;

export type MonitoringCaseOps = {
  /** Opens the incident; its number and id. */
  open: (c: {
    accountId: number;
    cause: string;
    subject: string;
    description: string;
    severity: string;
    iccids: string[];
  }) => Promise<{ id: number; number: string }>;
  /** Is the case still being worked on (not resolved or closed)? */
  isOpen: (number: string) => Promise<boolean>;
  /** Adds SIMs to it, with an internal note saying why. */
  addSims: (number: string, iccids: string[], note: string) => Promise<void>;
};
export type AlarmCaseDeps = {
  database: Database;
  cases: MonitoringCaseOps;
  iccidsOf: (simIds: readonly number[]) => Promise<Map<number, string>>;
  notifyDesk: (n: { title: string; body: string; dedupeKey: string; caseNumber: string | null }) => Promise<unknown>;
  log?: { warn: (o: object, msg: string) => void };
};

type Claimed = {
  id: string;
  account_id: string;
  originator_id: string;
  type: string;
  severity: string;
  details: Record<string, unknown>;
  cleared_at: Date | null;
};

/** Case severities from alarm severities (the case priority matrix takes it from there). */
const CASE_SEVERITY: Record<string, string> = {
  critical: 'critical',
  major: 'high',
  minor: 'medium',
  warning: 'low',
};
const RANK = ['warning', 'minor', 'major', 'critical'];

export function alarmCases(deps: AlarmCaseDeps) {
  const { database } = deps;

  /** One line per SIM for the case: what was seen. */
  const lines = (rows: Claimed[], iccids: Map<number, string>) =>
    rows
      .map((r) => {
        const d = r.details;
        const iccid = iccids.get(Number(r.originator_id)) ?? `SIM ${r.originator_id}`;
        if (r.type === 'refusal_burst') {
          const how =
            d.condition === 'streak' ? 'in a row, not accepted in between' : `within ${String(d.windowMinutes)} min`;
          return `- ${iccid}: refused ${String(d.refusals)} times ${how} (${String(d.lastType)}, cause ${String(d.causeLabel ?? d.cause)}, network ${String(d.plmn ?? '?')}${d.apn ? `, APN ${String(d.apn)}` : ''}), last at ${String(d.lastAt)}`;
        }
        if (r.type === 'usage_drop')
          return `- ${iccid}: ${String(d.observedBytes)} bytes in the ${String(d.hours)} h to ${String(d.windowTo)}, usually ${String(d.usualBytes)} (down ${String(d.dropPercent)} %)`;
        if (r.type === 'usage_drift')
          return `- ${iccid}: ${String(d.ewmaBytesPerDay)} bytes a day over the ${String(d.days)} days to ${String(d.windowTo)} (weighted to the newest), usually ${String(d.meanBytesPerDay)} (${Number(d.changePercent) > 0 ? '+' : ''}${String(d.changePercent)} %)`;
        return `- ${iccid}: nothing since ${String(d.lastEventAt ?? '?')} (${String(d.lastEventType ?? 'event')}); its rhythm allows ${String(d.thresholdMinutes ?? '?')} min`;
      })
      .join('\n');
  /** What the SIMs of a cause have, in the case's words. */
  const WHAT: Record<string, string> = {
    silence: 'stopped sending data',
    refusal_burst: 'refused by the network',
    usage_drop: 'sending much less data than usual',
    usage_drift: 'drifting away from their usual daily data volume',
  };

  async function openOrJoin(accountId: number, cause: string, rows: Claimed[], now: Date): Promise<string | null> {
    const ids = rows.map((r) => Number(r.originator_id));
    const iccidMap = await deps.iccidsOf(ids);
    const iccids = ids.map((id) => iccidMap.get(id)).filter((x): x is string => x !== undefined);
    const rule = String(rows[0]!.details.rule ?? 'silence');
    for (;;) {
      const [link] = await database.query<{ id: string; state: string; case_number: string | null; created_at: Date }>(
        `select id::text, state, case_number, created_at from alarm_cases
          where account_id = $1 and cause = $2 and state <> 'done'`,
        [accountId, cause],
      );
      if (link?.state === 'open' && link.case_number !== null) {
        if (await deps.cases.isOpen(link.case_number)) {
          await deps.cases.addSims(
            link.case_number,
            iccids,
            `Monitoring (rule "${rule}"): ${iccids.length} more SIM(s) ${WHAT[cause] ?? cause}\n${lines(rows, iccidMap)}`,
          );
          return link.case_number;
        }
        // Resolved or closed since: the next alarm of this cause is a new case.
        await database.query(`update alarm_cases set state = 'done' where id = $1`, [link.id]);
        continue;
      }
      if (link?.state === 'opening') {
        if (now.getTime() - new Date(link.created_at).getTime() < CLAIM_STALE_MS) return null; // another worker
        await database.query(`update alarm_cases set state = 'done' where id = $1`, [link.id]);
        continue;
      }
      const [mine] = await database.query<{ id: string }>(
        `insert into alarm_cases (account_id, cause, state, created_at) values ($1, $2, 'opening', $3)
         on conflict (account_id, cause) where state <> 'done' do nothing returning id::text`,
        [accountId, cause, now],
      );
      if (!mine) continue; // another worker began at the same instant: look again
      try {
        const severity = rows.map((r) => r.severity).sort((a, b) => RANK.indexOf(b) - RANK.indexOf(a))[0]!;
        const c = await deps.cases.open({
          accountId,
          cause,
          subject: `Monitoring: ${iccids.length} SIM(s) ${WHAT[cause] ?? cause}`,
          description:
            `Raised by the alarm rule "${rule}":\n${lines(rows, iccidMap)}\n\nThe customer was told by e-mail; ` +
            'SIMs with the same problem later join this case.',
          severity: CASE_SEVERITY[severity] ?? 'high',
          iccids,
        });
        await database.query(`update alarm_cases set state = 'open', case_id = $2, case_number = $3 where id = $1`, [
          mine.id,
          c.id,
          c.number,
        ]);
        return c.number;
      } catch (e) {
        await database.query('delete from alarm_cases where id = $1', [mine.id]);
        throw e;
      }
    }
  }

  /** Pending alarms to their cases. */
  async function caseTick(now: Date): Promise<{ alarms: number; cases: number; waiting: number }> {
    const claimed = await database.query<Claimed>(
      `update alarms set case_claimed_at = $1
        where id in (select id from alarms
                      where case_pending and (case_claimed_at is null or case_claimed_at < $2)
                      order by id limit $3 for update skip locked)
        returning id::text, account_id::text, originator_id, type, severity, details, cleared_at`,
      [now, new Date(now.getTime() - CLAIM_STALE_MS), CASE_BATCH],
    );
    const out = { alarms: 0, cases: 0, waiting: 0 };
    if (claimed.length === 0) return out;
    // Cleared before a case was opened (the SIM talked again within the pass's second): no case for it.
    const gone = claimed.filter((r) => r.cleared_at !== null).map((r) => r.id);
    if (gone.length > 0)
      await database.query('update alarms set case_pending = false where id = any($1::bigint[])', [gone]);
    const groups = new Map<string, Claimed[]>();
    for (const r of claimed.filter((c) => c.cleared_at === null)) {
      const key = `${r.account_id}:${r.type}`;
      const g = groups.get(key);
      if (g) g.push(r);
      else groups.set(key, [r]);
    }
    for (const rows of groups.values()) {
      const first = rows[0]!;
      const ids = rows.map((r) => r.id);
      let number: string | null;
      try {
        number = await openOrJoin(Number(first.account_id), first.type, rows, now);
      } catch (e) {
        // Released for the next pass (the case service refused: the account is gone, …); the alarm stays.
        deps.log?.warn({ err: e, alarms: ids }, 'an alarm could not open its case');
        await database.query('update alarms set case_claimed_at = null where id = any($1::bigint[])', [ids]);
        out.waiting += rows.length;
        continue;
      }
      if (number === null) {
        await database.query('update alarms set case_claimed_at = null where id = any($1::bigint[])', [ids]);
        out.waiting += rows.length;
        continue;
      }
      await database.query(
        `update alarms set case_pending = false, case_number = $2,
                details = details || jsonb_build_object('caseNumber', $2::text)
          where id = any($1::bigint[])`,
        [ids, number],
      );
      out.alarms += rows.length;
      out.cases++;
    }
    return out;
  }

  /** Active, unacknowledged alarms whose rule reminds, due for their next reminder. */
  async function remindTick(now: Date): Promise<number> {
    const due = await database.query<{
      id: string;
      originator_id: string;
      remind_count: number;
      case_number: string | null;
      rule: string;
      first_seen_at: Date;
    }>(
      `with due as (
         select a.id from alarms a join alarm_rules r on r.id = a.rule_id
          where a.cleared_at is null and a.acknowledged_at is null and r.remind_minutes is not null
            and coalesce(a.reminded_at, a.first_seen_at) <= $1::timestamptz - make_interval(mins => r.remind_minutes)
          order by a.id limit $2 for update of a skip locked)
       update alarms set reminded_at = $1, remind_count = alarms.remind_count + 1
         from due, alarm_rules r where alarms.id = due.id and r.id = alarms.rule_id
       returning alarms.id::text, alarms.originator_id, alarms.remind_count, alarms.case_number, r.name as rule,
                 alarms.first_seen_at`,
      [now, CASE_BATCH],
    );
    if (due.length === 0) return 0;
    const iccids = await deps.iccidsOf(due.map((d) => Number(d.originator_id)));
    for (const d of due) {
      const minutes = Math.round((now.getTime() - new Date(d.first_seen_at).getTime()) / 60_000);
      await deps.notifyDesk({
        title: `Alarm ${d.id} unacknowledged for ${minutes} min: ${iccids.get(Number(d.originator_id)) ?? d.originator_id} silent`,
        body: `Rule "${d.rule}". Acknowledge it on the Alarms page when someone is on it.`,
        // The count makes each reminder its own notification, and a replayed pass the same one.
        dedupeKey: `alarm-reminder:${d.id}:${d.remind_count}`,
        caseNumber: d.case_number,
      });
    }
    return due.length;
  }

  return { caseTick, remindTick };
}
