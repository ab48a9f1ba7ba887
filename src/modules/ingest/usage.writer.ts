/** Usage rows: the hourly upsert of a batch's deltas (ingest.writer.ts) and the daily roll-up (maintenance). */
import type { RawTx } from '../../platform/db/client.ts';
import type { UsageDayClosed } from './ingest.events.ts';
import type { UsageRow } from './network-effects.ts';

export async function upsertUsage(
  tx: RawTx,
  table: 'sim_usage_hourly' | 'sim_usage_daily',
  at: 'hour' | 'day',
  rows: UsageRow[],
) {
  if (rows.length === 0) return;
  rows.sort((a, b) => a.simId - b.simId || a.at.getTime() - b.at.getTime());
  const col = <T>(f: (u: UsageRow) => T) => rows.map(f);
  await tx.query(
    `insert into ${table} (sim_id, ${at}, tenant_id, account_id, bytes_up, bytes_down, sms_mo, sms_mt, voice_seconds)
     select * from unnest($1::bigint[], $2::timestamptz[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],
                          $7::int[], $8::int[], $9::int[])
     on conflict (sim_id, ${at}) do update set tenant_id = excluded.tenant_id, account_id = excluded.account_id,
        bytes_up = ${table}.bytes_up + excluded.bytes_up, bytes_down = ${table}.bytes_down + excluded.bytes_down,
        sms_mo = ${table}.sms_mo + excluded.sms_mo, sms_mt = ${table}.sms_mt + excluded.sms_mt,
        voice_seconds = ${table}.voice_seconds + excluded.voice_seconds`,
    [
      col((u) => u.simId),
      col((u) => u.at.toISOString()),
      col((u) => u.tenantId),
      col((u) => u.accountId),
      col((u) => u.bytesUp),
      col((u) => u.bytesDown),
      col((u) => u.smsMo),
      col((u) => u.smsMt),
      col((u) => u.voiceSeconds),
    ],
  );
}

/** Each account's totals of one rolled-up day (the `ingest.usage_day_closed` events). */
export async function dayTotals(tx: RawTx, day: Date): Promise<UsageDayClosed[]> {
  const rows = await tx.query<{
    tenant_id: string;
    account_id: string;
    sims: number;
    bytes_up: string;
    bytes_down: string;
    sms_mo: string;
    sms_mt: string;
    voice_seconds: string;
  }>(
    `select tenant_id::text, account_id::text, count(*)::int as sims, sum(bytes_up)::text as bytes_up,
            sum(bytes_down)::text as bytes_down, sum(sms_mo)::text as sms_mo, sum(sms_mt)::text as sms_mt,
            sum(voice_seconds)::text as voice_seconds
       from sim_usage_daily where day = $1::timestamptz
      group by tenant_id, account_id order by account_id`,
    [day.toISOString()],
  );
  return rows.map((r) => ({
    day: day.toISOString().slice(0, 10),
    tenantId: Number(r.tenant_id),
    accountId: Number(r.account_id),
    sims: r.sims,
    bytesUp: Number(r.bytes_up),
    bytesDown: Number(r.bytes_down),
    smsMo: Number(r.sms_mo),
    smsMt: Number(r.sms_mt),
    voiceSeconds: Number(r.voice_seconds),
  }));
}

/** Per SIM of an account with data use on `day`: bytes used in that month before the day, and through it. */
export async function monthToDate(
  tx: Pick<RawTx, 'query'>,
  accountId: number,
  day: Date,
): Promise<{ simId: number; before: number; through: number }[]> {
  const rows = await tx.query<{ sim_id: string; before: string; through: string }>(
    `select sim_id::text,
            coalesce(sum(bytes_up + bytes_down) filter (where day < $2::timestamptz), 0)::text as before,
            sum(bytes_up + bytes_down)::text as through
       from sim_usage_daily
      where account_id = $1 and day >= date_trunc('month', $2::timestamptz at time zone 'UTC') at time zone 'UTC'
        and day <= $2::timestamptz
      group by sim_id
     having coalesce(sum(bytes_up + bytes_down) filter (where day = $2::timestamptz), 0) > 0`,
    [accountId, day.toISOString()],
  );
  return rows.map((r) => ({ simId: Number(r.sim_id), before: Number(r.before), through: Number(r.through) }));
}

/**
 * Daily usage of complete UTC days, recomputed from the hourly rows (idempotent: it overwrites). Today's usage
 * is read from the hourly rows; a late record for a past day is added to both by the writer.
 */
export async function rollupDailyUsage(tx: RawTx, from: Date, to: Date): Promise<number> {
  const [r] = await tx.query<{ n: number }>(
    `with written as (
     insert into sim_usage_daily (sim_id, day, tenant_id, account_id, bytes_up, bytes_down, sms_mo, sms_mt, voice_seconds)
     select sim_id, date_trunc('day', hour at time zone 'UTC') at time zone 'UTC', max(tenant_id), max(account_id),
            sum(bytes_up), sum(bytes_down), sum(sms_mo), sum(sms_mt), sum(voice_seconds)
       from sim_usage_hourly where hour >= $1 and hour < $2
      group by 1, 2
     on conflict (sim_id, day) do update set bytes_up = excluded.bytes_up, bytes_down = excluded.bytes_down,
        sms_mo = excluded.sms_mo, sms_mt = excluded.sms_mt, voice_seconds = excluded.voice_seconds
     returning 1)
     select count(*)::int as n from written`,
    [from.toISOString(), to.toISOString()],
  );
  return r?.n ?? 0;
}
