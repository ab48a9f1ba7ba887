/**
 * `iotops simulate`: publishes contract traffic (shared/contracts/ingest-v1.md) for a fleet over MQTT or HTTP,
 * with optional fault injection and a ground-truth file (docs/SIMULATOR.md). Exit codes: 0 = done, every
 * record acknowledged or sent; 2 = bad options or scenario (named with value and reason); 1 = anything else,
 * including records refused by iotops or lost by the transport (the summary says how many).
 */
import type { Command } from 'commander';
import { type Config, loadConfig } from '../config.ts';
import { OptionError } from '../modules/simulator/options.ts';
import { ScenarioError } from '../modules/simulator/scenario.ts';
import { type StartOptions, type Summary, startSimulation } from '../modules/simulator/simulator.ts';
import { openDatabase } from '../platform/db/client.ts';
import { migrate } from '../platform/db/migrate.ts';
import { printCliError } from './cli-util.ts';

type Flags = Record<string, string | boolean | undefined>;

export function registerSimulate(program: Command) {
  program
    .command('simulate')
    .description('Simulate a fleet: contract network events and telemetry over MQTT or HTTP, with injected faults')
    .option('--transport <mqtt|http>', 'how to publish', 'mqtt')
    .option('--url <url>', 'broker (mqtt://host:1883) or iotops base URL (http://host:8080)')
    .option('--username <name>', 'MQTT username (ingest credential)')
    .option('--password <secret>', 'MQTT password (ingest credential)')
    .option('--token <secret>', 'HTTP Bearer token (ingest credential)')
    .option('--synthetic <n>', 'simulate N generated SIMs instead of the database fleet')
    .option('--max-sims <n>', 'database fleet: at most this many SIMs (by ICCID)', '10000')
    .option(
      '--mix <weights>',
      'class weights for SIMs without a device model, e.g. meter=40,tracker=25,router=10,machine=15,vending=10',
    )
    .option('--speed <n>', 'simulated time runs N x the wall clock', '1')
    .option('--start <time>', 'simulated start: RFC 3339 or -<duration> (default: so that the run ends at now)')
    .option('--duration <duration>', 'wall-clock run time, e.g. 10m (default: until Ctrl-C)')
    .option('--max-ahead <duration>', 'how far simulated time may run ahead of the wall clock (≤ 1d)', '0s')
    .option('--seed <n>', 'same seed, start and fleet = same traffic and record ids', '1')
    .option('--scenario <file>', 'fault scenario (JSON; see examples/scenarios/)')
    .option('--ground-truth <file>', 'write what was injected, where and when (NDJSON)')
    .option(
      '--commands-url <url>',
      "iotops's HTTP URL to poll network commands from (connectivity reset, configuration SMS, state); default: --url with --transport http",
    )
    .option('--batch <k>', 'records per MQTT message / HTTP request (default 1 for mqtt, 100 for http)')
    .option('--qos <0|1>', 'MQTT QoS', '1')
    .option('--json', 'print the summary as JSON')
    .option('--quiet', 'no progress lines')
    .action(async (flags: Flags) => {
      const { json, quiet, ...raw } = flags;
      const options: StartOptions = { ...raw };
      const config = loadConfig();
      // Without --url, the iotops of this configuration: its IOTOPS_MQTT_PORT or PORT (the README's example fed
      // 127.0.0.1:1883 whatever the port was moved to — issue 13, point 11).
      options.url ??= defaultUrl(raw.transport === 'http' ? 'http' : 'mqtt', config);
      if (raw.synthetic === undefined) {
        // The database fleet is read once at start, then the database is closed again; beside a running
        // embedded server this goes through it (the server owns the PGlite files).
        let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
        try {
          database = await openDatabase({
            databaseUrl: config.databaseUrl,
            dataDir: config.dataDir,
            poolSize: 1,
            command: 'iotops simulate',
            prepare: migrate,
            notice: (t) => console.error(`note: ${t}`),
          });
          options.database = database;
          options.onNotice = (t) => console.error(`note: ${t}`);
          await run(options, json === true, quiet === true, async () => {
            await database?.close();
            database = undefined;
          });
        } catch (e) {
          await database?.close().catch(() => undefined);
          process.exitCode = exitFor(e);
        }
        return;
      }
      try {
        await run(options, json === true, quiet === true, async () => {});
      } catch (e) {
        process.exitCode = exitFor(e);
      }
    });
}

async function run(options: StartOptions, json: boolean, quiet: boolean, afterStart: () => Promise<void>) {
  const progress = !quiet && process.stderr.isTTY;
  const sim = await startSimulation({
    ...options,
    ...(progress
      ? {
          onProgress: (s: Summary) =>
            process.stderr.write(
              `\r${s.simulated.to}  published ${s.published}  acked ${s.acked}  rejected ${s.rejected}   `,
            ),
        }
      : {}),
  });
  await afterStart();
  const stop = () => {
    void sim.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const s = await sim.done;
  process.removeListener('SIGINT', stop);
  process.removeListener('SIGTERM', stop);
  if (progress) process.stderr.write('\n');
  if (json) console.log(JSON.stringify(s));
  else printSummary(s, options.groundTruth);
  if (s.rejected > 0 || s.failed > 0) process.exitCode = 1;
}

function printSummary(s: Summary, groundTruth: unknown) {
  console.log(
    `simulated ${s.fleet} SIM(s) from ${s.simulated.from} to ${s.simulated.to} in ${s.wallSeconds} s over ${s.transport}: ` +
      `${s.network} network events, ${s.telemetry} telemetry records, ${s.faults} fault(s)`,
  );
  console.log(
    `published ${s.published} in ${s.messages} ${s.transport === 'mqtt' ? 'message(s)' : 'request(s)'}, acked ${s.acked}` +
      `${s.transport === 'http' ? ` (${s.duplicates} duplicate)` : ''}, rejected ${s.rejected}, failed ${s.failed}`,
  );
  for (const e of s.errors) console.error(`  ${e}`);
  if (typeof groundTruth === 'string') console.log(`ground truth: ${groundTruth}`);
}

function exitFor(e: unknown): number {
  if (e instanceof OptionError) {
    for (const p of e.problems)
      console.error(`error: ${p.option}${p.value === undefined ? '' : ` (${JSON.stringify(p.value)})`}: ${p.reason}`);
    return 2;
  }
  if (e instanceof ScenarioError) {
    console.error(`error: ${e.message}`);
    return 2;
  }
  return printCliError(e);
}

/** Where this configuration's iotops listens, as seen from this machine (a wildcard host is reached on loopback). */
export function defaultUrl(transport: 'mqtt' | 'http', c: Pick<Config, 'host' | 'port' | 'mqttPort'>): string {
  const host = ['0.0.0.0', '::', ''].includes(c.host) ? '127.0.0.1' : c.host.includes(':') ? `[${c.host}]` : c.host;
  return transport === 'mqtt' ? `mqtt://${host}:${c.mqttPort}` : `http://${host}:${c.port}`;
}
