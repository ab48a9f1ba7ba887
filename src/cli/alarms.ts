/**
 * `iotops alarms list|ack|clear`: the desk's alarms for scripts (a cron job that pages on critical ones, a runbook
 * that clears what it fixed). Through the alarms service as the API, so the same rules hold: staff only, a clear by
 * hand that a lasting condition raises again. Beside a running server on the embedded database the command joins
 * that server (cli-run.ts); it never opens the data directory itself.
 * Exit codes: 0 = done, 2 = bad input (the option is named), 1 = anything else (the error code is printed).
 */
import type { Command } from 'commander';
import type { z } from 'zod';
import { presentAlarm } from '../modules/alarms/alarms.presenter.ts';
import { ALARM_TYPES, AlarmIdParams, type AlarmView, ListAlarmsQuery } from '../modules/alarms/alarms.schemas.ts';
import { actor, asOption, parseInput, run, type Services, table } from './cli-run.ts';

type View = z.infer<typeof AlarmView>;

/** Who the alarm is about, as the console's list names it. */
function on(a: View): string {
  const o = a.originator;
  // An outage says how many SIM alarms it groups; a grouped SIM alarm names its outage's alarm.
  const group = a.groupSize ? ` (${a.groupSize} SIM alarm${a.groupSize === 1 ? '' : 's'})` : '';
  if (o.type === 'plmn') return `network ${o.id}${group}`;
  if (o.type === 'apn') return `APN ${o.id}${group}`;
  if (o.type === 'rule') return `rule #${o.id}`;
  if (o.type === 'device') {
    // `<deviceId>:<metric>`; the device's name when the alarm recorded one.
    const name = typeof a.details.deviceName === 'string' ? a.details.deviceName : `device #${o.id.split(':')[0]}`;
    return `${name} · ${o.id.slice(o.id.indexOf(':') + 1)}`;
  }
  return `${o.iccid ?? `SIM #${o.id} (deleted)`}${a.parentId ? ` (outage #${a.parentId})` : ''}`;
}

function state(a: View): string {
  if (a.status === 'cleared') return a.clearedBy === 'user' ? 'cleared (by hand)' : 'cleared';
  return a.acknowledged ? 'active, acknowledged' : 'active';
}

const alarmId = (id: string) => parseInput(AlarmIdParams, { id }, { id: 'ID' }).id;

async function view(services: Services, row: Awaited<ReturnType<Services['alarms']['get']>>): Promise<View> {
  return presentAlarm(row, await services.alarms.iccidsFor([row]), await services.alarms.groupSizesOf([row]));
}

export function registerAlarms(program: Command) {
  const alarms = program.command('alarms').description('Alarms the watches raised (silence, refusals, fleet, rules)');

  alarms
    .command('list')
    .description('Alarms, the last seen first; a table, or JSON lines (the API shape) with --json')
    .option('--status <status>', 'active | cleared | any (default active)')
    .option('--type <type>', ALARM_TYPES.join(' | '))
    .option('--iccid <iccid>', "only this SIM's alarms")
    .option('--limit <n>', 'at most this many, 1 to 500 (default 100)')
    .option('--grouped', "one row per outage: leave out the SIM alarms under an active network's or APN's alarm")
    .option('--json', 'one JSON object per line, as GET /api/v1/alarms answers them')
    .action(
      async (o: {
        status?: string;
        type?: string;
        iccid?: string;
        limit?: string;
        json?: boolean;
        grouped?: boolean;
      }) =>
        run(async (services) => {
          const q = parseInput(ListAlarmsQuery, {
            status: o.status,
            type: o.type,
            iccid: o.iccid,
            limit: o.limit,
            grouped: o.grouped ? 'true' : undefined,
          });
          const page = await services.alarms.list(await actor(services, undefined), q);
          const [iccids, groups] = await Promise.all([
            services.alarms.iccidsFor(page.items),
            services.alarms.groupSizesOf(page.items),
          ]);
          const views = page.items.map((a) => presentAlarm(a, iccids, groups));
          if (o.json) {
            for (const v of views) console.log(JSON.stringify(v));
            return;
          }
          const rows = views.map((a) => [
            String(a.id),
            a.severity,
            a.type,
            on(a),
            state(a),
            a.firstSeenAt,
            a.count > 1 ? `${a.count}× to ${a.lastSeenAt}` : '',
          ]);
          console.log(table(['ID', 'SEVERITY', 'TYPE', 'ON', 'STATE', 'FIRST SEEN', 'REPEATED'], rows));
          // On stderr: a script reading the table (or piping it) gets the rows only.
          if (page.nextCursor) console.error(`(more than ${q.limit}: raise --limit or narrow with --type/--iccid)`);
        }),
    );

  alarms
    .command('ack')
    .description('Acknowledge an alarm: someone is on it (the first acknowledgement is kept)')
    .argument('<id>', 'alarm id (the list’s ID column)')
    .option('--json', 'print the alarm as JSON (the API shape)')
    .addOption(asOption())
    .action(async (id: string, o: { json?: boolean; as?: string }) =>
      run(async (services) => {
        const n = alarmId(id);
        const p = await actor(services, o.as);
        const a = await view(services, await services.alarms.acknowledge(p, n));
        console.log(o.json ? JSON.stringify(a) : `alarm ${a.id}: acknowledged ${a.acknowledgedAt}`);
      }),
    );

  alarms
    .command('clear')
    .description('Clear an alarm by hand; a condition that lasts raises a new one at its next check')
    .argument('<id>', 'alarm id (the list’s ID column)')
    .option('--json', 'print the alarm as JSON (the API shape)')
    .addOption(asOption())
    .action(async (id: string, o: { json?: boolean; as?: string }) =>
      run(async (services) => {
        const n = alarmId(id);
        const p = await actor(services, o.as);
        const before = await services.alarms.get(p, n);
        const a = await view(services, await services.alarms.clear(p, n));
        if (o.json) console.log(JSON.stringify(a));
        else if (before.clearedAt !== null) console.log(`alarm ${a.id}: already cleared at ${a.clearedAt}`);
        else console.log(`alarm ${a.id}: cleared`);
      }),
    );
}
