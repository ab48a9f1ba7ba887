/**
 * Detection quality of the alarms (issue 17, point 7), on the two ground truths of the diagnosis work: the simulator
 * (src/modules/simulator with test/fixtures/ground-truth.json, as test/diagnosis-ground-truth.test.ts runs it) and the
 * independently written generator (test/support/traffic-gen, as test/diagnosis-independent.test.ts runs it).
 *
 * Each fleet is registered, then its traffic is replayed in time order through the real ingest service while the
 * alarms run on a test clock that follows it (test/support/alarm-replay.ts: slices of at most 5 minutes, cut at
 * every instant a silence falls due and at the end of every minute in which a refusal completes a burst; after each
 * slice the batch events' jobs run and the worker's timers tick). Rules as an operator would set them: one
 * refusal-burst rule for the whole fleet (3 refusals within 15 minutes, or 3 in a row with no accepted attempt
 * between within 6 hours; any cause, attach and session), the fleet
 * alarms built in, and the silence watch twice — its built-in default (no rule: the diagnosis' rhythm rule), and a
 * silence rule (factor 1.5, grace 30 min). The second variant is a second replay on a fresh database that runs the
 * silence watch alone (no other rule, fleet alarms off): the watch reads no other alarm, so its figures combine with
 * the first replay's refusal and fleet alarms.
 *
 * Truth → expected alarm (test/support/alarm-score.ts scores it):
 * - a device that went silent (device_silent): `silence` on its SIM;
 * - a SIM the network refuses (APN typo, PLMN not allowed, SIM not active or deactivated, blocked at its limit, IMEI
 *   lock): `refusal_burst` on its SIM; a deactivated SIM of the simulator also counts when `silence` catches it;
 * - an outage (roaming partner, home network, APN gateway): a `fleet_*` alarm on that PLMN or APN, one fault per
 *   outage ("network:" rows); each SIM it hit is a fault too, caught by its own `refusal_burst` or the fleet alarm;
 * - the simulator's imei_swap (no lock: the SIM works in the new device) and sms_while_off (the SMS is carried): no
 *   alarm kind watches for them; listed, and counted in the "of all injected" share;
 * - healthy SIMs (transient refusals, steering, IMEI changes on unlocked plans, allowances crossed on throttle or
 *   charge plans): any alarm is a false alarm — except on a SIM refused while an outage that ended was on (the
 *   generator's "recovered_after_outage"), which is the outage's.
 *
 * Onset: the simulator's fault start (`from`; for a roaming SIM its first refusal there; for an APN outage's SIM its
 * first refusal on the APN); the generator's own instants (apn_typo/plmn_not_allowed `since` = first refusal,
 * sim_not_active `since` or its first refusal, sim_blocked_by_limit `crossedAt`, imei_changed `changedAt`,
 * device_silent `lastSeen` = its last event of any kind, outages `outageStart`, their SIMs `firstRefusedAt`).
 * Time-to-detect = the first detecting alarm's first_seen_at − onset (an alarm already standing at the onset: 0).
 * In time = before the device's second missed upload: its last own contact at or before the onset + twice its usual
 * interval then (median gap between its contacts at that time of day, alarm-score.ts `deadlineOf`); a fault whose
 * device had no rhythm before (a SIM deactivated before the window) has no deadline and is left out of that share.
 *
 * The as-of instants are pinned like the diagnosis tests': the latest Wednesday 12:00 UTC before now (the devices
 * follow the time of day and the weekday), IOTOPS_TRUTH_AT / IOTOPS_TRAFFIC_AT to change them,
 * IOTOPS_TRAFFIC_SEED the generator's seed. Telemetry is not replayed (no alarm kind reads it yet).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PERMANENT_CAUSES } from '../src/modules/alarms/refusal-bursts.ts';
import { Engine } from '../src/modules/simulator/engine.ts';
import { type GroundTruth, resolveScenario } from '../src/modules/simulator/faults.ts';
import { loadFleet } from '../src/modules/simulator/fleet.repo.ts';
import { DEFAULT_MIX, type FleetMember } from '../src/modules/simulator/fleet.ts';
import { parseScenario } from '../src/modules/simulator/scenario.ts';
import { cliPrincipal } from '../src/platform/auth.ts';
import { alarmsOnClock, type ReplayEvent, type ReplayStats, replay } from './support/alarm-replay.ts';
import {
  deadlineOf,
  type Fault,
  type Justified,
  type RaisedAlarm,
  type Score,
  score,
  table,
} from './support/alarm-score.ts';
import { type Harness, harness, testDbKind } from './support/harness.ts';
import { registerGenerated } from './support/register-generated.ts';
import { generate } from './support/traffic-gen/generate.ts';
import type { Generated } from './support/traffic-gen/truth.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const staff = cliPrincipal('alarms-detection');

/** The refusal-burst rule for the whole fleet. */
const BURST = {
  count: 3,
  windowMinutes: 15,
  causes: [],
  attempts: ['attach', 'session'],
  clearMinutes: 15,
  streak: 3,
  streakHours: 6,
  permanentStreak: 2,
} as const;
/** The silence rule of the second variant. */
const SILENCE = { factor: 1.5, graceMinutes: 30, noRhythmMinutes: 1440, learnWeeks: 4 } as const;

function lastWednesdayNoon(now: number): Date {
  const d = new Date(now);
  d.setUTCHours(12, 0, 0, 0);
  while (d.getUTCDay() !== 3 || d.getTime() >= now) d.setUTCDate(d.getUTCDate() - 1);
  return d;
}
const asOf = (env: string | undefined) =>
  env === undefined ? lastWednesdayNoon(Date.now()).getTime() : env === 'now' ? Date.now() : Date.parse(env);
const SIM_AT = asOf(process.env.IOTOPS_TRUTH_AT);
const GEN_AT = asOf(process.env.IOTOPS_TRAFFIC_AT);
const GEN_SEED = process.env.IOTOPS_TRAFFIC_SEED ?? 'iotops-16';
/** The simulator's run as the diagnosis ground truth has it: the demo fleet, 74 simulated hours, seed 1. */
const SIM_HOURS = 74;
/**
 * Days of the simulator's normal traffic before the scored window (its faults all start inside the window): a
 * deployed watch has weeks of history to learn each device's rhythm from; without it every irregular device looks
 * silent. Replayed before the window with the alarms' clock at its start (alarm-replay.ts, first slice).
 */
const SIM_HISTORY_DAYS = 14;
/** The same for the generator (generatorHistory: its own run over the days before, for SIMs healthy in both). */
const GEN_HISTORY_DAYS = 14;
const SIM_SEED = 1;
const DEMO_SIMS = 400;
const SCENARIO = join(import.meta.dirname, 'fixtures', 'ground-truth.json');

/** A generator's traffic and truth, ready to replay and score. */
type Source = {
  name: string;
  from: number;
  to: number;
  events: ReplayEvent[];
  faults: Fault[];
  healthySims: Set<string>;
  justified: Justified[];
  sims: number;
  /** Each SIM's device class (ICCID body → meter, tracker, router, …): false alarms are printed per class. */
  classOf: Map<string, string>;
};

type Wire = {
  ts: string;
  iccid: string;
  type: string;
  cause?: number;
  apn?: string;
  network?: { mcc: string; mnc: string };
};
const body = (iccid: string) => iccid.slice(0, 19);
const isRefusal = (type: string) => type === 'attach_rejected' || type === 'session_rejected';
/** Events that show the device itself at work (a contact): what its usual interval is learned from. */
const CONTACT = new Set(['attach', 'session_start', 'session_update', 'session_end', 'sms_mo', 'voice']);
const plmnOf = (e: Wire) => (e.network ? `${e.network.mcc}${e.network.mnc}` : '');

/** Each SIM's events by ICCID body, in time order. */
function bySim(events: readonly Wire[]): Map<string, Wire[]> {
  const out = new Map<string, Wire[]>();
  for (const e of events) {
    const k = body(e.iccid);
    const l = out.get(k);
    if (l) l.push(e);
    else out.set(k, [e]);
  }
  return out;
}
const contactsOf = (evs: readonly Wire[] | undefined) =>
  (evs ?? []).filter((e) => CONTACT.has(e.type)).map((e) => Date.parse(e.ts));

/**
 * The end of each minute in which a refusal completes a burst of the rule (from the events alone): three within the
 * window, or the streak's third in a row since the last accepted attempt of its kind, or its second for a cause no
 * retry cures (a later one of the streak ends its minute too: cutting more often decides the same).
 */
function burstCuts(events: readonly Wire[]): number[] {
  const cuts = new Set<number>();
  const cut = (t: number) => cuts.add(Math.ceil((t + 1) / MIN) * MIN);
  const ACCEPTS: Record<string, string> = { attach_rejected: 'attach', session_rejected: 'session_start' };
  for (const evs of bySim(events).values()) {
    const ts = evs.filter((e) => isRefusal(e.type)).map((e) => Date.parse(e.ts));
    for (let i = BURST.count - 1; i < ts.length; i++)
      if (ts[i - BURST.count + 1]! > ts[i]! - BURST.windowMinutes * MIN) cut(ts[i]!);
    for (const kind of Object.keys(ACCEPTS)) {
      let streak: number[] = [];
      for (const e of evs) {
        const t = Date.parse(e.ts);
        if (e.type === ACCEPTS[kind]) streak = [];
        else if (e.type === kind) {
          streak = [...streak.filter((x) => x > t - BURST.streakHours * HOUR), t];
          if (streak.length >= BURST.streak) cut(t);
          // The shorter streak of a cause no retry cures (its same-cause, same-network test is the rule's: a cut
          // more than needed decides the same).
          const permanent = PERMANENT_CAUSES[kind as keyof typeof PERMANENT_CAUSES];
          if (streak.length >= BURST.permanentStreak && typeof e.cause === 'number' && permanent.has(e.cause)) cut(t);
        }
      }
    }
  }
  return [...cuts].sort((a, b) => a - b);
}

// ---- the simulator ----------------------------------------------------------------------------------------------

async function simulatorSource(h: Harness): Promise<Source> {
  await h.services.demo.seed(DEMO_SIMS);
  const { members } = await loadFleet(h.ctx.database, { mix: DEFAULT_MIX, seed: SIM_SEED, limit: 10_000 });
  const from = SIM_AT - SIM_HOURS * HOUR;
  const r = resolveScenario(parseScenario(readFileSync(SCENARIO, 'utf8'), SCENARIO).faults, members, {
    seed: SIM_SEED,
    start: from,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  const engine = new Engine({
    fleet: members,
    seed: SIM_SEED,
    start: from - SIM_HISTORY_DAYS * DAY,
    resolved: r.resolved,
  });
  const wire = engine
    .until(SIM_AT - 1)
    .flatMap((x) => (x.kind === 'network' ? [x.body as Wire & Record<string, unknown>] : []));
  const truth: GroundTruth[] = [...r.resolved.truth, ...engine.discovered];
  return {
    name: `simulator (demo fleet ${members.length} SIMs, seed ${SIM_SEED}, scenario ground-truth.json, ${SIM_HISTORY_DAYS} days of history, then ${new Date(from).toISOString()} → ${new Date(SIM_AT).toISOString()} scored)`,
    from,
    to: SIM_AT,
    events: wire.map((e) => ({ ts: Date.parse(e.ts), value: e })),
    sims: members.length,
    classOf: new Map(members.map((m) => [body(m.iccid), m.deviceClass])),
    ...simulatorFaults(members, truth, wire),
  };
}

function simulatorFaults(fleet: readonly FleetMember[], truth: readonly GroundTruth[], events: readonly Wire[]) {
  const evs = bySim(events);
  const faults: Fault[] = [];
  const named = new Set(truth.flatMap((l) => (l.iccid ? [body(l.iccid)] : [])));
  const withDeadline = (f: Omit<Fault, 'deadline'>): Fault => ({
    ...f,
    deadline: f.sim === undefined ? null : deadlineOf(contactsOf(evs.get(f.sim)), f.onset),
  });
  const apnOutages = new Map<string, GroundTruth>();
  for (const l of truth) {
    const from = Date.parse(l.from);
    const end = l.to === null ? null : Date.parse(l.to);
    if (!l.iccid) {
      if (l.plmn) faults.push({ ...netFault('network: roaming_outage', { kind: 'plmn', key: l.plmn }, from, end) });
      continue;
    }
    const sim = body(l.iccid);
    const own = (expectSim: Fault['expectSim']) =>
      faults.push(withDeadline({ type: l.fault, sim, onset: from, end, expectSim }));
    switch (l.fault) {
      case 'device_silent':
        own(['silence']);
        break;
      case 'apn_typo':
      case 'sim_limit_blocked':
        own(['refusal_burst']);
        break;
      case 'sim_deactivated':
        own(['refusal_burst', 'silence']);
        break;
      case 'imei_swap':
      case 'sms_while_off':
        own([]);
        break;
      case 'roaming_outage':
        faults.push(
          withDeadline({
            type: 'roaming_outage (SIM)',
            sim,
            place: { kind: 'plmn', key: l.plmn! },
            onset: from,
            end,
            expectSim: ['refusal_burst'],
          }),
        );
        break;
      case 'apn_outage': {
        apnOutages.set(`${l.apn}|${l.from}`, l);
        // Only the members the gateway refused have a symptom (as in the diagnosis ground truth).
        const cause = Number(l.expected.cause);
        const first = (evs.get(sim) ?? []).find(
          (e) =>
            e.type === 'session_rejected' &&
            e.cause === cause &&
            (e.apn ?? '').toLowerCase() === l.apn!.toLowerCase() &&
            Date.parse(e.ts) >= from,
        );
        if (first)
          faults.push(
            withDeadline({
              type: 'apn_outage (SIM)',
              sim,
              place: { kind: 'apn', key: l.apn!.toLowerCase() },
              onset: Date.parse(first.ts),
              end,
              expectSim: ['refusal_burst'],
            }),
          );
        break;
      }
      default:
        break; // telemetry faults: no alarm reads telemetry yet (none in this scenario)
    }
  }
  for (const l of apnOutages.values())
    faults.push(
      netFault(
        'network: apn_outage',
        { kind: 'apn', key: l.apn!.toLowerCase() },
        Date.parse(l.from),
        l.to === null ? null : Date.parse(l.to),
      ),
    );
  linkNetworkDeadlines(faults);
  const healthySims = new Set(fleet.map((m) => body(m.iccid)).filter((k) => !named.has(k) && evs.has(k)));
  return { faults, healthySims, justified: [] as Justified[] };
}

const netFault = (type: string, place: Fault['place'] & {}, onset: number, end: number | null): Fault => ({
  type,
  place,
  onset,
  end,
  expectSim: [],
  deadline: null,
});

/** An outage is in time when announced before the first of its SIMs' deadlines. */
function linkNetworkDeadlines(faults: Fault[], extra: readonly Fault[] = []) {
  for (const n of faults) {
    if (n.sim !== undefined || !n.place) continue;
    const ds = [...faults, ...extra]
      .filter(
        (f) =>
          f.sim !== undefined &&
          f.place?.kind === n.place!.kind &&
          f.place.key === n.place!.key &&
          f.onset >= n.onset &&
          f.deadline !== null,
      )
      .map((f) => f.deadline!);
    n.deadline = ds.length > 0 ? Math.min(...ds) : null;
  }
}

// ---- the independent generator ----------------------------------------------------------------------------------

/**
 * The generator's history: its own run over the GEN_HISTORY_DAYS before the scored window (same seed: the same fleet,
 * and each SIM healthy in both runs keeps its schedule — a meter's hour, a periodic meter's phase, a router's
 * interim — since the generator draws those before laying out the wakes, and 14 days are whole periods). Only SIMs
 * healthy in both runs get history; a SIM with a fault or an outage in either starts cold, as before. Ids are
 * prefixed so they never collide with the scored run's.
 */
function generatorHistory(g: Generated, from: number): ReplayEvent[] {
  const h = generate({ seed: GEN_SEED, from: new Date(from - GEN_HISTORY_DAYS * DAY), to: new Date(from) });
  const same =
    h.fleet.sims.length === g.fleet.sims.length && h.fleet.sims.every((x, i) => x.iccid === g.fleet.sims[i]!.iccid);
  if (!same) throw new Error('the generator built another fleet for the history window');
  const healthy = (truth: Generated['truth']) =>
    new Set(truth.filter((t) => t.category === 'healthy').map((t) => body(t.iccid)));
  const inScored = healthy(g.truth);
  const both = new Set([...healthy(h.truth)].filter((k) => inScored.has(k)));
  return h.events
    .filter((e) => both.has(body(e.iccid)))
    .map((e) => ({ ts: Date.parse(e.ts), value: { ...e, id: `h-${e.id}` } as unknown as Record<string, unknown> }));
}

async function generatorSource(h: Harness): Promise<Source> {
  const from = GEN_AT - 3 * DAY;
  const g = generate({ seed: GEN_SEED, from: new Date(from), to: new Date(GEN_AT) });
  await registerGenerated(h, g);
  const history = generatorHistory(g, from);
  return {
    name: `independent generator (seed ${GEN_SEED}, ${g.fleet.sims.length} SIMs, ${GEN_HISTORY_DAYS} days of history for the SIMs healthy in both runs, then ${new Date(from).toISOString()} → ${new Date(GEN_AT).toISOString()} scored)`,
    from,
    to: GEN_AT,
    events: [
      ...history,
      ...g.events.map((e) => ({ ts: Date.parse(e.ts), value: e as unknown as Record<string, unknown> })),
    ],
    sims: g.fleet.sims.length,
    classOf: new Map(g.fleet.sims.map((x) => [body(x.iccid), x.deviceKind])),
    ...generatorFaults(g),
  };
}

function generatorFaults(g: Generated) {
  const evs = bySim(g.events);
  const faults: Fault[] = [];
  const at = (iso: string) => Date.parse(iso);
  for (const t of g.truth) {
    const sim = body(t.iccid);
    const own = (onset: number, expectSim: Fault['expectSim'], place?: Fault['place']) =>
      faults.push({
        type: t.category,
        sim,
        ...(place ? { place } : {}),
        onset,
        end: null,
        expectSim,
        deadline: deadlineOf(contactsOf(evs.get(sim)), onset),
      });
    switch (t.category) {
      case 'healthy':
        break;
      case 'apn_typo':
      case 'plmn_not_allowed':
        own(at(t.details.since), ['refusal_burst']);
        break;
      case 'sim_not_active':
        own(at(t.details.since ?? t.details.firstRefusedAt), ['refusal_burst']);
        break;
      case 'sim_blocked_by_limit':
        own(at(t.details.crossedAt), ['refusal_burst']);
        break;
      case 'imei_changed':
        own(at(t.details.changedAt), ['refusal_burst']);
        break;
      case 'device_silent':
        own(at(t.details.lastSeen), ['silence']);
        break;
      case 'roaming_partner_outage':
      case 'network_outage':
        own(at(t.details.firstRefusedAt), ['refusal_burst'], { kind: 'plmn', key: t.details.plmn });
        break;
      case 'apn_gateway_outage':
        own(at(t.details.firstRefusedAt), ['refusal_burst'], { kind: 'apn', key: t.details.apn.toLowerCase() });
        break;
    }
  }
  // Every outage is a fault of its network or APN; the SIMs an ended one refused are healthy now, and alarms on
  // them while it was on are the outage's (justified), their deadlines the outage's.
  const justified: Justified[] = [];
  const endedSims: Fault[] = [];
  for (const o of g.outages) {
    const place: Fault['place'] & {} =
      o.kind === 'apn_gateway' ? { kind: 'apn', key: o.apn!.toLowerCase() } : { kind: 'plmn', key: o.plmn! };
    const start = at(o.start);
    const end = o.end === null ? null : at(o.end);
    faults.push(netFault(`network: ${o.kind}`, place, start, end));
    if (end === null) continue;
    for (const [sim, list] of evs) {
      const first = list.find(
        (e) =>
          isRefusal(e.type) &&
          e.cause === o.cause &&
          at(e.ts) >= start &&
          at(e.ts) < end &&
          (o.kind === 'apn_gateway'
            ? e.type === 'session_rejected' && (e.apn ?? '').toLowerCase() === place.key
            : plmnOf(e) === place.key),
      );
      if (!first) continue;
      justified.push({ sim, from: at(first.ts), to: end });
      endedSims.push({
        type: 'ended outage (SIM)',
        sim,
        place,
        onset: at(first.ts),
        end,
        expectSim: ['refusal_burst'],
        deadline: deadlineOf(contactsOf(list), at(first.ts)),
      });
    }
  }
  linkNetworkDeadlines(faults, endedSims);
  const healthySims = new Set(
    g.truth.filter((t) => t.category === 'healthy' && evs.has(body(t.iccid))).map((t) => body(t.iccid)),
  );
  return { faults, healthySims, justified };
}

// ---- replay and score -------------------------------------------------------------------------------------------

type Measured = {
  source: Source;
  byDefault: Score;
  byRule: Score;
  stats: { default: ReplayStats; rule: ReplayStats };
};

async function alarmsOf(h: Harness): Promise<RaisedAlarm[]> {
  const rows = await h.ctx.database.query<{
    id: string;
    type: string;
    originator_type: string;
    originator_id: string;
    first_seen_at: Date;
    cleared_at: Date | null;
    iccid: string | null;
  }>(
    `select a.id::text, a.type, a.originator_type, a.originator_id, a.first_seen_at, a.cleared_at, s.iccid
       from alarms a left join sims s on a.originator_type = 'sim' and s.id::text = a.originator_id
      order by a.id`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    type: r.type,
    originatorType: r.originator_type,
    originatorId: r.originator_type === 'sim' ? body(r.iccid ?? `?${r.originator_id}`) : r.originator_id,
    firstSeenAt: new Date(r.first_seen_at).getTime(),
    clearedAt: r.cleared_at === null ? null : new Date(r.cleared_at).getTime(),
  }));
}

/** One replay on a fresh database: `default` with the burst rule, fleet alarms and the default silence; `rule`
 * the silence rule alone. */
async function run(
  build: (h: Harness) => Promise<Source>,
  variant: 'default' | 'rule',
): Promise<{ source: Source; alarms: RaisedAlarm[]; stats: ReplayStats }> {
  const h = await harness({ ingestLingerMs: 0 });
  try {
    const source = await build(h);
    const clock = { now: source.from };
    const alarms = alarmsOnClock(h, clock, { fleet: variant === 'default' });
    const common = { enabled: true, scope: {}, severity: 'major' as const, escalation: null, schedule: null };
    if (variant === 'default')
      await alarms.rules.create(staff, {
        ...common,
        name: 'Refusal bursts',
        kind: 'refusal_burst',
        params: { ...BURST, causes: [], attempts: [...BURST.attempts] },
        openCase: false,
        remindMinutes: null,
      });
    else
      await alarms.rules.create(staff, {
        ...common,
        name: 'Silence',
        kind: 'silence',
        params: { ...SILENCE },
        openCase: false,
        remindMinutes: null,
      });
    const stats = await replay(h, {
      events: source.events,
      from: source.from,
      to: source.to,
      clock,
      alarms,
      maxSliceMs: variant === 'default' ? 5 * MIN : 15 * MIN,
      cuts: variant === 'default' ? burstCuts(source.events.map((e) => e.value as unknown as Wire)) : [],
    });
    return { source, alarms: await alarmsOf(h), stats };
  } finally {
    await h.close();
  }
}

async function measure(build: (h: Harness) => Promise<Source>): Promise<Measured> {
  const a = await run(build, 'default');
  const b = await run(build, 'rule');
  const s = a.source;
  const scoreOf = (alarms: RaisedAlarm[]) =>
    score({ faults: s.faults, alarms, healthySims: s.healthySims, justified: s.justified, from: s.from, to: s.to });
  return {
    source: s,
    byDefault: scoreOf(a.alarms),
    byRule: scoreOf([...a.alarms.filter((x) => x.type !== 'silence'), ...b.alarms.filter((x) => x.type === 'silence')]),
    stats: { default: a.stats, rule: b.stats },
  };
}

const statsText = (s: ReplayStats) =>
  `${s.events} events (${s.history} of them history) in ${s.steps} steps, ${(s.wallMs / 1000).toFixed(0)} s (ingest ${(s.ms.ingest / 1000).toFixed(0)} s, jobs ${(s.ms.jobs / 1000).toFixed(0)} s, ticks ${(s.ms.ticks / 1000).toFixed(0)} s)`;

/**
 * False alarms on healthy SIMs per device class, per 10,000 SIM-days of that class: where the silence watch's false
 * alarms come from (a device that reports on a schedule can meet "< 1 per 10k" where a memoryless one cannot).
 */
function byClass(source: Source, sc: Score): string {
  const days = sc.healthy.simDays / Math.max(1, sc.healthy.sims);
  const sims = new Map<string, number>();
  for (const k of source.healthySims) {
    const c = source.classOf.get(k) ?? '?';
    sims.set(c, (sims.get(c) ?? 0) + 1);
  }
  const alarms = new Map<string, number>();
  for (const a of sc.healthy.falseAlarms) {
    const c = source.classOf.get(a.originatorId) ?? '?';
    alarms.set(c, (alarms.get(c) ?? 0) + 1);
  }
  return [...sims]
    .sort((a, b) => b[1] - a[1])
    .map(([c, n]) => {
      const f = alarms.get(c) ?? 0;
      return `${c} ${f} on ${n} SIMs (${((10_000 * f) / (n * days)).toFixed(0)} per 10k SIM-days)`;
    })
    .join('; ');
}

function report(m: Measured): string {
  return [
    `alarm detection quality (${testDbKind}): ${m.source.name}`,
    `  replay, default silence: ${statsText(m.stats.default)}; silence rule: ${statsText(m.stats.rule)}`,
    table(
      'default silence (no silence rule), refusal-burst rule 3 in 15 min or 3 in a row, fleet alarms built in:',
      m.byDefault,
    ),
    table(
      `silence rule (factor ${SILENCE.factor}, grace ${SILENCE.graceMinutes} min), same refusal and fleet alarms:`,
      m.byRule,
    ),
    ...[
      ['default', m.byDefault],
      ['rule', m.byRule],
    ].flatMap(([v, s]) => {
      const sc = s as Score;
      const missed = sc.outcomes.filter((o) => o.detectedAt === null);
      const fa = sc.healthy.falseAlarms;
      return [
        `  ${v}: false alarms by device class: ${byClass(m.source, sc)}`,
        `  ${v}: missed ${missed.map((o) => `${o.type} ${o.sim ?? o.place?.key}`).join('; ') || 'none'}`,
        `  ${v}: false alarms ${fa.map((a) => `${a.type} ${a.originatorId} ${new Date(a.firstSeenAt).toISOString().slice(5, 16)}`).join('; ') || 'none'}`,
      ];
    }),
  ].join('\n');
}

/**
 * Goals (issue 17.7): ≥ 80 % of injected faults detected before the customer would notice, median time-to-detect
 * < 5 min of simulated time, false alarms < 1 per 10,000 SIM-days. The floors below sit under the figures measured
 * (docs/PERFORMANCE.md, "alarm detection quality") so that a regression shows; the goals not met are printed, not
 * asserted. The median time-to-detect is the goal itself on the simulator; on the generator it is a floor since the
 * refusal streak finds its slow-retrying refusers (found at 20–50 min, missed before, when the median was 0.8 min;
 * 7 min since the permanent-cause streak of 2).
 */
const FLOORS = {
  // Measured 2026-12-07 (14 days of history, refusal streak 3, permanent-cause streak 2): recall 95 %, in time 30 %,
  // precision 85 % / 33 %, false 175 / 1,928 per 10k SIM-days (default / silence rule), median 3.0 min.
  simulator: { recall: 0.9, inTime: 0.25, precision: 0.25, maxFalsePer10k: 2_400, maxMedianMin: 5 },
  // Measured 2026-12-07 (refusal streak 3, permanent-cause streak 2, 14 days of history for the SIMs healthy in both
  // runs): recall 100 %, in time 43 %, precision 65 % / 56 %, false 252 / 647 per 10k SIM-days, median 7.0 min.
  generator: { recall: 0.95, inTime: 0.38, precision: 0.45, maxFalsePer10k: 1_000, maxMedianMin: 10 },
};

function checkFloors(m: Measured, f: (typeof FLOORS)['simulator']) {
  for (const s of [m.byDefault, m.byRule]) {
    expect(s.total.detected / s.total.faults).toBeGreaterThanOrEqual(f.recall);
    expect(s.total.inTime / s.total.withDeadline).toBeGreaterThanOrEqual(f.inTime);
    expect(s.alarms.true / s.alarms.all).toBeGreaterThanOrEqual(f.precision);
    expect(s.healthy.per10kSimDays).toBeLessThanOrEqual(f.maxFalsePer10k);
    expect(s.total.medianMin).toBeLessThanOrEqual(f.maxMedianMin);
  }
}

// PGlite only: the figures are the same on PostgreSQL (same SQL, same replay); the replays take ~7 min (simulator) and
// ~10 min (generator, with its history) on a quiet 2-core machine: the hooks allow four times that.
describe.skipIf(testDbKind !== 'pglite')('alarm detection quality', () => {
  describe('on the simulator’s ground truth', () => {
    let m: Measured;
    beforeAll(async () => {
      m = await measure(simulatorSource);
    }, 2_400_000);
    it('prints recall, time-to-detect and false alarms per fault type; floors guard regressions', () => {
      console.log(report(m));
      checkFloors(m, FLOORS.simulator);
    });
  });

  describe('on the independent generator’s ground truth', () => {
    let m: Measured;
    beforeAll(async () => {
      m = await measure(generatorSource);
    }, 2_400_000);
    it('prints recall, time-to-detect and false alarms per fault type; floors guard regressions', () => {
      console.log(report(m));
      checkFloors(m, FLOORS.generator);
    });
  });
});
