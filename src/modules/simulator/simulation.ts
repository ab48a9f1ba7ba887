/**
 * Runs a simulation: the engine paced by the clock, records to a publisher, the ground truth to a file.
 * `startSimulation` is the in-process API (the CLI and `npm start`'s demo use it); `stop()` ends it gracefully
 * (everything generated so far is published and acknowledged or counted as failed) and returns the summary.
 */
import { writeFileSync } from 'node:fs';
import { type ClockPlan, simulatedAt } from './clock.ts';
import type { CommandListener, SimCommand } from './commands.ts';
import { Engine } from './engine.ts';
import { type GroundTruth, type Resolved, withClearances } from './faults.ts';
import type { FleetMember } from './fleet.ts';
import type { Counts, Publisher } from './publish/publisher.ts';

export type Summary = Counts & {
  transport: 'mqtt' | 'http';
  fleet: number;
  network: number;
  telemetry: number;
  faults: number;
  simulated: { from: string; to: string };
  wallSeconds: number;
};

export type SimulationInput = {
  fleet: readonly FleetMember[];
  seed: number;
  clock: ClockPlan;
  resolved: Resolved;
  publisher: Publisher;
  groundTruthFile?: string | undefined;
  /** How often the loop looks at the clock (wall ms). */
  tickMs?: number;
  /** Records generated per publisher call at most. */
  slice?: number;
  wallNow?: () => number;
  onProgress?: (s: Summary) => void;
  /** Network commands (in-process bus or a polled feed): applied to the fleet at the simulated now. */
  commands?: { listen(l: CommandListener): () => void };
};

export type Simulation = {
  /** Resolves when the run ends by itself (its duration is over) or after stop(). */
  readonly done: Promise<Summary>;
  stop(): Promise<Summary>;
  groundTruth(): GroundTruth[];
};

export function writeGroundTruth(file: string, lines: readonly GroundTruth[]) {
  writeFileSync(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
}

export function runSimulation(input: SimulationInput): Simulation {
  const wallNow = input.wallNow ?? Date.now;
  const engine = new Engine({
    fleet: input.fleet,
    seed: input.seed,
    start: input.clock.start,
    resolved: input.resolved,
  });
  const truth = () =>
    withClearances([...input.resolved.truth, ...engine.discovered], engine.cleared).sort((a, b) =>
      a.from < b.from ? -1 : a.from > b.from ? 1 : 0,
    );
  // Written at once so a killed run still leaves what it planned; rewritten at the end with what it discovered.
  if (input.groundTruthFile) writeGroundTruth(input.groundTruthFile, truth());
  let stopping = false;
  let wake: (() => void) | null = null;
  let simTo = input.clock.start;
  let network = 0;
  let telemetry = 0;
  const wallStarted = wallNow();
  // A command lands at the simulated now, never before what was already generated (the past is published).
  const applied = new Set<number>();
  let commandsApplied = 0;
  const onCommand = (c: SimCommand) => {
    if (applied.has(c.id)) return;
    applied.add(c.id);
    const at = Math.max(simTo + 1, simulatedAt(input.clock, wallNow()));
    if (engine.command(c, at)) commandsApplied++;
    wake?.();
  };
  const unlisten = input.commands?.listen(onCommand);
  const summary = (): Summary => ({
    ...input.publisher.counts(),
    transport: input.publisher.transport,
    fleet: input.fleet.length,
    network,
    telemetry,
    faults: input.resolved.faults.length,
    simulated: { from: new Date(input.clock.start).toISOString(), to: new Date(simTo).toISOString() },
    wallSeconds: Math.round((wallNow() - wallStarted) / 100) / 10,
  });

  const loop = async (): Promise<Summary> => {
    const tickMs = input.tickMs ?? 200;
    const slice = input.slice ?? 5000;
    let lastProgress = wallNow();
    let truthWritten = 0;
    try {
      while (!stopping) {
        const target = simulatedAt(input.clock, wallNow());
        for (;;) {
          const records = engine.until(target, slice);
          if (records.length === 0) break;
          for (const r of records) {
            if (r.kind === 'network') network++;
            else telemetry++;
          }
          await input.publisher.send(records);
          if (stopping) break;
        }
        simTo = target;
        await input.publisher.flush();
        // The ground truth must say at once when an action cleared or caused a fault (the diagnosis test reads it).
        const mark = commandsApplied + engine.cleared.length + engine.discovered.length;
        if (input.groundTruthFile && commandsApplied > 0 && mark !== truthWritten) {
          truthWritten = mark;
          writeGroundTruth(input.groundTruthFile, truth());
        }
        if (input.onProgress && wallNow() - lastProgress >= 1000) {
          lastProgress = wallNow();
          input.onProgress(summary());
        }
        if (input.clock.end !== null && target >= input.clock.end) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, tickMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
      await input.publisher.flush();
      await input.publisher.drain();
    } finally {
      unlisten?.();
      await input.publisher.close();
      if (input.groundTruthFile) writeGroundTruth(input.groundTruthFile, truth());
    }
    return summary();
  };

  const done = loop();
  return {
    done,
    stop() {
      stopping = true;
      wake?.();
      return done;
    },
    groundTruth: truth,
  };
}
