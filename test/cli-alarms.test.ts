import { beforeAll, describe, expect, it } from 'vitest';
import { fleetWatch } from '../src/modules/alarms/fleet-watch.ts';
import { openDatabase } from '../src/platform/db/client.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { cliEnv, runCli } from './support/cli.ts';
import { uniq } from './support/harness.ts';

const env = cliEnv();
// Keys of this file only (on PostgreSQL the run's database is shared with other files).
const apn = `cli-${uniq()}.example`;
const ids: { plmn: number; apn: number; sim: number; device: number } = { plmn: 0, apn: 0, sim: 0, device: 0 };
/** A SIM alarm the network's alarm groups (a SIM id no SIM has: the CLI shows it as deleted). */
const simOriginator = String(9_000_000_000 + Math.floor(Math.random() * 1_000_000_000));
const plmn = `99${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;

/**
 * There is no way to raise an alarm from the CLI: the fleet watch raises two in the CLI's database (temp data dir,
 * or the run's PostgreSQL) as the worker would, from a failing list given here.
 */
beforeAll(async () => {
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.IOTOPS_DATA_DIR, poolSize: 1 });
  try {
    await migrate(database);
    const failing = (kind: 'plmn' | 'apn', key: string, attempt: 'attach' | 'session') => ({
      kind,
      key,
      attempt,
      rejected: 30,
      accepted: 3,
      share: 0.9,
      failingSims: 10,
      failingTenants: 2,
      since: new Date(),
    });
    const [sim] = await database.query<{ id: string }>(
      `insert into alarms (originator_type, originator_id, type, severity, first_seen_at, last_seen_at, details)
       values ('sim', $1, 'refusal_burst', 'minor', now(), now(), $2::jsonb) returning id::text`,
      [simOriginator, JSON.stringify({ plmn, lastType: 'attach_rejected', refusals: 3 })],
    );
    ids.sim = Number(sim!.id);
    // A telemetry threshold's alarm: originator the device and metric, named by the device's name it recorded.
    const [device] = await database.query<{ id: string }>(
      `insert into alarms (originator_type, originator_id, type, severity, first_seen_at, last_seen_at, details)
       values ('device', $1, 'telemetry_threshold', 'major', now(), now(), $2::jsonb) returning id::text`,
      [`${simOriginator}:temperature_c`, JSON.stringify({ deviceName: `Fridge ${apn}`, metric: 'temperature_c' })],
    );
    ids.device = Number(device!.id);
    const watch = fleetWatch({
      database,
      rules: async () => [],
      failingNow: async () => [failing('plmn', plmn, 'attach'), failing('apn', apn, 'session')],
      onRuleError: async () => {},
    });
    expect(await watch(new Date())).toMatchObject({ raised: 2, grouped: 1 });
    const rows = await database.query<{ id: string; originator_type: 'plmn' | 'apn' }>(
      `select id::text, originator_type from alarms where cleared_at is null and originator_id = any($1::text[])`,
      [[plmn, apn]],
    );
    for (const r of rows) ids[r.originator_type] = Number(r.id);
  } finally {
    await database.close();
  }
});

const ok = async (args: string[]) => {
  const res = await runCli(args, env);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  return res.stdout;
};
type Alarm = {
  id: number;
  type: string;
  status: string;
  acknowledged: boolean;
  clearedBy: string | null;
  originator: { type: string; id: string };
};
const jsonLines = (out: string) =>
  out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Alarm);

// Each CLI run is a process start plus a database open (≈1.5 s on PGlite, more on a loaded machine).
describe('iotops alarms (black-box)', { timeout: 300_000 }, () => {
  it('lists (table and JSON lines, filtered), acknowledges and clears, as a named agent', async () => {
    const agent = `agent-${uniq()}@example.test`;
    await ok(['users', 'create', '--email', agent, '--password', 'a-long-password', '--role', 'agent']);

    const table = await ok(['alarms', 'list']);
    expect(table).toMatch(/^ID\s+SEVERITY\s+TYPE\s+ON\s+STATE\s+FIRST SEEN\s+REPEATED\n/);
    expect(table).toMatch(
      new RegExp(
        `\\n${ids.plmn}\\s+critical\\s+fleet_attach_refusals\\s+network ${plmn} \\(1 SIM alarm\\)\\s+active\\s+\\d{4}-`,
      ),
    );
    expect(table).toMatch(
      new RegExp(
        `\\n${ids.sim}\\s+minor\\s+refusal_burst\\s+SIM #${simOriginator} \\(deleted\\) \\(outage #${ids.plmn}\\)`,
      ),
    );
    expect(table).toMatch(
      new RegExp(
        `\\n${ids.device}\\s+major\\s+telemetry_threshold\\s+Fridge ${apn.replace(/\./g, '\\.')} · temperature_c\\s+active`,
      ),
    );
    // --grouped: the outage once, its SIM alarm under it.
    const grouped = jsonLines(await ok(['alarms', 'list', '--grouped', '--json']));
    expect(grouped.map((a) => a.id)).toContain(ids.plmn);
    expect(grouped.map((a) => a.id)).not.toContain(ids.sim);
    expect(table).toMatch(
      new RegExp(
        `\\n${ids.apn}\\s+critical\\s+fleet_session_refusals\\s+APN ${apn.replace(/\./g, '\\.')}\\s+active\\s`,
      ),
    );

    // --type narrows; --json prints the API's shape, one alarm per line.
    const sessions = jsonLines(await ok(['alarms', 'list', '--type', 'fleet_session_refusals', '--json']));
    expect(sessions.every((a) => a.type === 'fleet_session_refusals')).toBe(true);
    expect(sessions).toContainEqual(
      expect.objectContaining({
        id: ids.apn,
        status: 'active',
        acknowledged: false,
        originator: expect.objectContaining({ type: 'apn', id: apn }),
      }),
    );
    expect(sessions.map((a) => a.id)).not.toContain(ids.plmn);

    expect(await ok(['alarms', 'ack', String(ids.plmn), '--as', agent])).toMatch(
      new RegExp(`^alarm ${ids.plmn}: acknowledged \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\n$`),
    );
    expect(await ok(['alarms', 'clear', String(ids.plmn)])).toBe(`alarm ${ids.plmn}: cleared\n`);
    expect(await ok(['alarms', 'clear', String(ids.plmn)])).toMatch(
      new RegExp(`^alarm ${ids.plmn}: already cleared at \\d{4}-`),
    );
    const cleared = jsonLines(
      await ok(['alarms', 'list', '--status', 'cleared', '--type', 'fleet_attach_refusals', '--json']),
    );
    expect(cleared).toContainEqual(
      expect.objectContaining({ id: ids.plmn, status: 'cleared', acknowledged: true, clearedBy: 'user' }),
    );
    const active = jsonLines(await ok(['alarms', 'list', '--json']));
    expect(active.map((a) => a.id)).toContain(ids.apn);
    expect(active.map((a) => a.id)).not.toContain(ids.plmn);
  });

  it('names the bad option (exit 2) and the unknown alarm (exit 1)', async () => {
    const status = await runCli(['alarms', 'list', '--status', 'open'], env);
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/^error: --status: /);
    const limit = await runCli(['alarms', 'list', '--limit', '0'], env);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toMatch(/^error: --limit: /);
    const id = await runCli(['alarms', 'ack', 'twelve'], env);
    expect(id.code).toBe(2);
    expect(id.stderr).toMatch(/^error: ID: /);
    const missing = await runCli(['alarms', 'clear', '999999999'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error alarms.not_found: Alarm 999999999 not found\n  id (999999999): not found\n');
    const unknownUser = await runCli(['alarms', 'ack', String(ids.apn), '--as', 'nobody@example.test'], env);
    expect(unknownUser.code).toBe(2);
    expect(unknownUser.stderr).toBe('error: --as: no user nobody@example.test\n');
  });
});
