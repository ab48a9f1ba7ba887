/**
 * The diagnosis benchmark's data, set-based in SQL (generate_series; no row crosses into JS): for each sample SIM,
 * `perDay` events a day — sessions with traffic, SMS, re-attaches; one SIM in 20 asks for a misspelt APN, one in
 * 50 is refused at a roaming partner and lands on another — written day by day into the day partitions on two
 * connections, each day followed by what the ingest writer derives from it (hourly usage, data sessions); then
 * daily usage, network state, IMSIs, IMEI history and the fleet roll-up of the last two days.
 */
import type { Database } from '../src/platform/db/client.ts';

const DAY = 86_400_000;
const partitionName = (day: number) =>
  `network_events_p${new Date(day).toISOString().slice(0, 10).replaceAll('-', '')}`;

export async function loadSample(
  database: Database,
  _url: string,
  o: { step: number; sample: number; firstDay: number; days: number; perDay: number; now: number },
): Promise<{ events: number; derived: number }> {
  // Day partitions named as the ingest's partition manager names them, so it adopts them.
  for (let d = o.firstDay - DAY; d <= o.firstDay + o.days * DAY; d += DAY)
    await database.query(
      `create table if not exists ${partitionName(d)} partition of network_events
         for values from ('${new Date(d).toISOString()}') to ('${new Date(d + DAY).toISOString()}')`,
    );
  await database.query('drop table if exists bench_sample');
  await database.query(
    `create unlogged table bench_sample as
     select k, s.id as sim_id, s.tenant_id, s.account_id, s.iccid,
            case when k % 20 = 1 then 'typo' when k % 50 = 3 then 'roam' else 'ok' end as kind
       from generate_series(0, $1::int - 1) k
       join sims s on s.iccid = '89460' || lpad((k * $2::int)::text, 14, '0')`,
    [o.sample, o.step],
  );
  await database.query('alter table bench_sample add primary key (sim_id)');
  const gap = Math.floor(86_400 / o.perDay);
  const loadDay = async (day: number) => {
    const from = new Date(day).toISOString();
    await database.query(
      `insert into network_events (ts, received_at, iccid, sim_id, tenant_id, account_id, type, event_id, imsi, imei,
                                   plmn, rat, apn, session_id, bytes_up, bytes_down, cause)
       select t.ts, t.ts, s.iccid, s.sim_id, s.tenant_id, s.account_id, x.type, s.k || '-' || $4 || '-' || i,
              '24007' || lpad(s.k::text, 10, '0'), '35' || lpad(s.k::text, 13, '0'),
              x.plmn, '4G', x.apn, x.sid, x.up, x.down, x.cause
         from bench_sample s
         cross join generate_series(0, $2::int - 1) i
         cross join lateral (select $1::timestamptz + make_interval(secs => i * $3::int + s.k % $3::int) as ts) t
         cross join lateral (
           select case
                    when s.kind = 'typo' then case when i % 4 = 3 then 'attach' else 'session_rejected' end
                    when s.kind = 'roam' then (array['attach_rejected','attach','session_start','session_end'])[1 + i % 4]
                    else case i % 4 when 0 then 'session_start' when 1 then 'session_update' when 2 then 'session_end'
                                    else case when i % 20 = 3 then 'attach' else 'sms_mo' end end
                  end as type) y
         cross join lateral (
           select y.type,
                  case when y.type = 'attach_rejected' then '26201' when s.kind = 'roam' then '22210' else '24007' end
                    as plmn,
                  case when y.type = 'session_rejected' then 'iot.exmaple'
                       when y.type like 'session%' then 'iot.example' end as apn,
                  case when y.type in ('session_start', 'session_update', 'session_end')
                       then 's' || $4 || '-' || (i / 4) end as sid,
                  case y.type when 'session_update' then 1000 when 'session_end' then 1500 end::bigint as up,
                  case y.type when 'session_update' then 4000 when 'session_end' then 6000 end::bigint as down,
                  case y.type when 'session_rejected' then 27 when 'attach_rejected' then 17 end::smallint as cause) x
        where t.ts <= $5::timestamptz
        order by s.iccid, t.ts`,
      [from, o.perDay, gap, Math.floor(day / DAY), new Date(o.now - 60_000).toISOString()],
    );
    const part = partitionName(day);
    await database.query(
      `insert into sim_usage_hourly (sim_id, hour, tenant_id, account_id, bytes_up, bytes_down, sms_mo, sms_mt, voice_seconds)
       select sim_id, date_trunc('hour', ts, 'UTC'), max(tenant_id), max(account_id),
              coalesce(sum(bytes_up) filter (where type = 'session_end'), 0),
              coalesce(sum(bytes_down) filter (where type = 'session_end'), 0),
              count(*) filter (where type = 'sms_mo'), 0, 0
         from ${part} group by 1, 2
       having count(*) filter (where type in ('session_end', 'sms_mo')) > 0`,
    );
    await database.query(
      `insert into data_sessions (sim_id, session_id, tenant_id, account_id, plmn, apn, rat, started_at, ended_at,
                                  last_seen_at, bytes_up, bytes_down)
       select sim_id, session_id, max(tenant_id), max(account_id), max(plmn), max(apn), '4G',
              min(ts) filter (where type = 'session_start'), max(ts) filter (where type = 'session_end'), max(ts),
              coalesce(max(bytes_up), 0), coalesce(max(bytes_down), 0)
         from ${part} where session_id is not null group by 1, 2`,
    );
  };
  const days = Array.from({ length: o.days }, (_, i) => o.firstDay + i * DAY);
  // Two connections: the machine has two cores, and a day's insert is CPU-bound in the index build.
  await Promise.all(
    [0, 1].map(async (lane) => {
      for (const d of days.filter((_, i) => i % 2 === lane)) await loadDay(d);
    }),
  );
  const today = o.firstDay + (o.days - 1) * DAY;
  const q = (sql: string, params: unknown[] = []) => database.query(sql, params);
  await q(
    `insert into sim_usage_daily (sim_id, day, tenant_id, account_id, bytes_up, bytes_down, sms_mo, sms_mt, voice_seconds)
     select sim_id, date_trunc('day', hour, 'UTC'), max(tenant_id), max(account_id), sum(bytes_up), sum(bytes_down),
            sum(sms_mo), 0, 0
       from sim_usage_hourly where hour < $1 group by 1, 2`,
    [new Date(today).toISOString()],
  );
  await q(
    `insert into sim_imsis (imsi, sim_id, tenant_id, position, is_current)
     select '24007' || lpad(k::text, 10, '0'), sim_id, tenant_id, 0, true from bench_sample on conflict do nothing`,
  );
  await q(
    `insert into sim_imei_history (sim_id, imei, first_seen_at, last_seen_at)
     select sim_id, '35' || lpad(k::text, 13, '0'), $1, $2 from bench_sample on conflict do nothing`,
    [new Date(o.firstDay).toISOString(), new Date(o.now).toISOString()],
  );
  const since = new Date(o.now - 2 * DAY).toISOString();
  await q(
    `insert into sim_network_state (sim_id, tenant_id, account_id, status, last_event_at, last_event_type, plmn, rat,
                                    apn, session_id, session_started_at, last_reject_type, last_reject_cause,
                                    last_reject_at, imsi, imei)
     select e.sim_id, e.tenant_id, e.account_id,
            case when e.type in ('session_start', 'session_update') then 'ONLINE' else 'ATTACHED' end,
            e.ts, e.type, e.plmn, e.rat, e.apn,
            case when e.type in ('session_start', 'session_update') then e.session_id end,
            case when e.type = 'session_start' then e.ts end,
            r.type, r.cause, r.ts, e.imsi, e.imei
       from (select distinct on (sim_id) * from network_events where ts >= $1 and sim_id is not null
              order by sim_id, ts desc) e
       left join lateral (select type, cause, ts from network_events n
                           where n.iccid = e.iccid and n.ts >= $1 and n.type in ('attach_rejected', 'session_rejected')
                           order by ts desc limit 1) r on true
     on conflict do nothing`,
    [since],
  );
  await q(
    `insert into network_event_counts (bucket, tenant_id, type, plmn, apn, cause, events)
     select date_bin('5 minutes', ts, timestamptz '2000-01-01 00:00:00+00'), tenant_id, type, coalesce(plmn, ''),
            lower(coalesce(apn, '')), coalesce(cause, -1), count(*)
       from network_events where ts >= $1 group by 1, 2, 3, 4, 5, 6
     on conflict do nothing`,
    [since],
  );
  await q('analyze');
  const n = async (t: string) => Number((await database.query<{ n: string }>(`select count(*) as n from ${t}`))[0]!.n);
  const events = await n('network_events');
  const derived =
    (await n('sim_usage_hourly')) +
    (await n('sim_usage_daily')) +
    (await n('data_sessions')) +
    (await n('sim_network_state')) +
    (await n('network_event_counts'));
  return { events, derived };
}
