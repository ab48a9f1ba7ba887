/**
 * The simulator's public API: `startSimulation(options)` validates the options, builds the fleet (synthetic, a
 * given list, or loaded from the database), resolves the scenario, connects the publisher and starts the run.
 * It returns the running simulation: `stop()` ends it and resolves with the summary.
 */
import { readFileSync } from 'node:fs';
import type { Database } from '../../platform/db/client.ts';
import { planClock } from './clock.ts';
import { type CommandFeed, pollCommandFeed } from './command-feed.ts';
import type { CommandBus } from './commands.ts';
import { type Resolved, resolveScenario } from './faults.ts';
import { loadFleet } from './fleet.repo.ts';
import { type FleetMember, syntheticFleet } from './fleet.ts';
import { OptionError, parseSimulateOptions, type SimulateOptions, startOf } from './options.ts';
import { createHttpPublisher } from './publish/http.ts';
import { createMqttPublisher } from './publish/mqtt.ts';
import type { Publisher } from './publish/publisher.ts';
import { parseScenario, type Scenario, ScenarioError } from './scenario.ts';
import { runSimulation, type Simulation, type Summary } from './simulation.ts';

export type { Simulation, Summary };
export type StartOptions = Record<string, unknown> & {
  /** The fleet to simulate; else `synthetic` N members, else loaded from `database`. */
  fleet?: readonly FleetMember[];
  database?: Pick<Database, 'query'>;
  /** A scenario already parsed (instead of the `scenario` file). */
  scenarioObject?: Scenario;
  onProgress?: (s: Summary) => void;
  /** How often the run looks at the clock and sends what is due (wall ms, default 200): fewer, larger batches. */
  tickMs?: number;
  /** Notes for the operator (fleet truncated, SIMs skipped). */
  onNotice?: (text: string) => void;
  now?: number;
  /** Network commands in-process (`start --simulate`): then nothing is polled. */
  commandBus?: Pick<CommandBus, 'listen'>;
};

export type StartedSimulation = Simulation & { options: SimulateOptions; fleet: readonly FleetMember[] };

export async function startSimulation(input: StartOptions): Promise<StartedSimulation> {
  const {
    fleet: given,
    database,
    scenarioObject,
    onProgress,
    onNotice,
    now: nowIn,
    commandBus,
    tickMs,
    ...raw
  } = input;
  const o = parseSimulateOptions(raw);
  const now = nowIn ?? Date.now();
  const clock = planClock({
    now,
    speed: o.speed,
    durationMs: o.duration ?? null,
    start: startOf(o.start, now),
    maxAheadMs: o.maxAhead,
  });
  if (!clock.ok)
    throw new OptionError([{ option: `--${clock.option}`, value: raw[clock.option], reason: clock.reason }]);

  let fleet: readonly FleetMember[];
  if (given) fleet = given;
  else if (o.synthetic !== undefined) fleet = syntheticFleet(o.synthetic, o.seed, o.mix);
  else if (database) {
    const loaded = await loadFleet(database, { mix: o.mix, seed: o.seed, limit: o.maxSims });
    fleet = loaded.members;
    if (loaded.truncated) onNotice?.(`fleet limited to the first ${o.maxSims} SIMs by ICCID (--max-sims)`);
    if (loaded.skippedNoImsi > 0) onNotice?.(`${loaded.skippedNoImsi} SIM(s) without a current IMSI skipped`);
  } else
    throw new OptionError([{ option: '--synthetic', value: undefined, reason: 'give --synthetic N or a database' }]);
  if (fleet.length === 0)
    throw new OptionError([
      {
        option: '--synthetic',
        value: undefined,
        reason: 'the fleet is empty (no ACTIVATED/TEST_READY SIM with an IMSI)',
      },
    ]);

  const scenario =
    scenarioObject ?? (o.scenario !== undefined ? parseScenario(readScenario(o.scenario), o.scenario) : { faults: [] });
  const r = resolveScenario(scenario.faults, fleet, { seed: o.seed, start: clock.plan.start });
  if (!r.ok) throw new ScenarioError(o.scenario ?? 'scenario', r.problems);
  const resolved: Resolved = r.resolved;

  const publisher = await createPublisher(o);
  // Network commands: in-process when iotops runs us, else polled from iotops over HTTP when we know where it is.
  const feed: CommandFeed | undefined =
    commandBus || (o.commandsUrl === undefined && o.transport !== 'http')
      ? undefined
      : pollCommandFeed({
          url: o.commandsUrl ?? o.url ?? 'http://127.0.0.1:8080',
          token: o.token ?? o.password,
          onNotice,
        });
  const sim = runSimulation({
    commands: commandBus ?? feed,
    fleet,
    seed: o.seed,
    clock: clock.plan,
    resolved,
    publisher,
    groundTruthFile: o.groundTruth,
    onProgress,
    ...(tickMs !== undefined ? { tickMs } : {}),
  });
  void sim.done.finally(() => feed?.close());
  return { ...sim, stop: sim.stop, options: o, fleet };
}

function readScenario(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new OptionError([{ option: '--scenario', value: file, reason: `cannot read: ${(e as Error).message}` }]);
  }
}

function createPublisher(o: SimulateOptions): Promise<Publisher> {
  if (o.transport === 'http')
    return Promise.resolve(
      createHttpPublisher({ url: o.url ?? 'http://127.0.0.1:8080', token: o.token, batch: o.batch ?? 100 }),
    );
  return createMqttPublisher({
    url: o.url ?? 'mqtt://127.0.0.1:1883',
    username: o.username,
    password: o.password,
    qos: o.qos as 0 | 1,
    batch: o.batch ?? 1,
  });
}
