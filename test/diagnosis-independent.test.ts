/**
 * Ground truth from an independently written traffic generator (issue 16): test/support/traffic-gen, written from
 * the ingest contract and 3GPP without reading iotops's simulator or diagnosis. Its fleet (accounts, communication
 * and rate plans with overage actions and IMEI locks, SIMs) is registered through the services the API calls, its
 * three days of network events go in over the real HTTP ingest with an ingest credential, and every SIM is
 * diagnosed as of the latest Wednesday noon UTC (see AT below) over the default 24 h window and over the 3 days.
 * Prints the accuracy per category for both windows and names every misdiagnosed SIM with what was expected and what
 * was answered.
 *
 * How the generator's categories map to root causes (its truth is kept as it wrote it):
 * - sim_blocked_by_limit: the plan blocks at the allowance, so quota_exhausted (allowance used up) or
 *   sim_blocked_by_limit are both right;
 * - a healthy SIM whose unlocked device changed in the last days: imei_changed (a warning the desk must see: a SIM
 *   taken out of its device is how SIMs are stolen), or healthy;
 * - everything else: the code of the same name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnosis, RootCauseCode } from '../src/modules/diagnosis/diagnosis.model.ts';
import { createDiagnosisService } from '../src/modules/diagnosis/diagnosis.service.ts';
import { fleetHealthRepo } from '../src/modules/diagnosis/fleet-health.repo.ts';
import { createFleetHealth } from '../src/modules/diagnosis/fleet-health.ts';
import { cliPrincipal } from '../src/platform/auth.ts';
import { type Harness, harness, uniq } from './support/harness.ts';
import { registerGenerated } from './support/register-generated.ts';
import { generate } from './support/traffic-gen/generate.ts';
import type { Category, Generated, TruthEntry } from './support/traffic-gen/truth.ts';

const DAY = 86_400_000;
/**
 * Issue 16's goals are 95 % per category and 99 % healthy (reached on the seeds recorded in docs/PERFORMANCE.md);
 * the floors sit below them because a category holds 7–27 SIMs, where one miss is up to 14 % (other hours of the
 * week: IOTOPS_TRAFFIC_AT).
 */
const FLOOR = Number(process.env.IOTOPS_INDEPENDENT_FLOOR ?? 0.8);
const HEALTHY_FLOOR = Number(process.env.IOTOPS_INDEPENDENT_HEALTHY_FLOOR ?? 0.98);
const SEED = process.env.IOTOPS_TRAFFIC_SEED ?? 'iotops-16';
/**
 * As of when the three days end and the SIMs are diagnosed. By default the latest Wednesday 12:00 UTC before now:
 * the same hour of the week at every run, so a regression shows as one and not as the hour CI happened to run — the
 * devices follow the time of day and the weekday, and accuracy differs by the hour (docs/PERFORMANCE.md, "by the
 * hour": healthy 96–100 %, lowest on Monday mornings). IOTOPS_TRAFFIC_AT: another instant (RFC 3339), or `now`.
 */
function lastWednesdayNoon(now: number): Date {
  const d = new Date(now);
  d.setUTCHours(12, 0, 0, 0);
  while (d.getUTCDay() !== 3 || d.getTime() >= now) d.setUTCDate(d.getUTCDate() - 1);
  return d;
}
const AT_ENV = process.env.IOTOPS_TRAFFIC_AT;
const AT = AT_ENV === 'now' ? undefined : (AT_ENV ?? lastWednesdayNoon(Date.now()).toISOString());
const staff = cliPrincipal('independent-truth');

type Outcome = { iccid: string; category: Category; expected: RootCauseCode[]; got: RootCauseCode; agent: string };
/** What the agent needs to see of a miss: the root cause's words, and for silence the activity check's. */
const agentWords = (d: Diagnosis, t: TruthEntry) =>
  t.category === 'device_silent'
    ? `${d.rootCause.summary.agent} [activity: ${d.checks.find((c) => c.check === 'activity.last_seen')?.detail}; truth: ${JSON.stringify(t.details)}]`
    : d.rootCause.summary.agent;

let h: Harness;
let gen: Generated;
/** The fleet's "failing now" as the diagnoses saw it, printed with the table (staff figures). */
let failingNow = '';
const results = new Map<'24h' | '3d', Outcome[]>();

function expectedFor(t: TruthEntry): RootCauseCode[] {
  switch (t.category) {
    case 'sim_blocked_by_limit':
      return ['quota_exhausted', 'sim_blocked_by_limit'];
    case 'healthy':
      return t.details.notes.includes('imei_changed_unlocked') ? ['imei_changed', 'healthy'] : ['healthy'];
    default:
      return [t.category];
  }
}

/** Every event over the HTTP ingest (NDJSON, as producers send it); each batch must be accepted whole. */
async function ingest(url: string, token: string, g: Generated): Promise<void> {
  const BATCH = 5000;
  for (let i = 0; i < g.events.length; i += BATCH) {
    const body = g.events
      .slice(i, i + BATCH)
      .map((e) => JSON.stringify(e))
      .join('\n');
    const res = await fetch(`${url}/api/v1/ingest/network-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body,
    });
    const r = (await res.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
    expect(res.status, JSON.stringify(r).slice(0, 500)).toBe(200);
    expect(r.rejected, 'the generator writes contract v1').toEqual([]);
  }
}

beforeAll(async () => {
  h = await harness();
  const to = AT ? new Date(AT) : new Date();
  const now = () => (AT ? to.getTime() + 1000 : Date.now());
  gen = generate({ seed: SEED, from: new Date(to.getTime() - 3 * DAY), to });
  await registerGenerated(h, gen);
  const { secret } = await h.services.ingest.createCredential(cliPrincipal(), { name: `independent-${uniq()}` });
  const url = await h.app.listen({ port: 0, host: '127.0.0.1' });
  await ingest(url, secret, gen);
  await h.runJobs();
  h.services.fleetHealth.invalidate();
  const diagnosis = AT
    ? createDiagnosisService(
        h.ctx,
        { sims: h.services.sims, fleet: createFleetHealth(fleetHealthRepo(h.ctx.database), { now }) },
        { now },
      )
    : h.services.diagnosis;
  const failing = await diagnosis.failing(staff);
  failingNow = failing.items
    .map(
      (i) =>
        `${i.kind} ${i.key} ${i.attempt} ${i.rejected}/${i.accepted} sims ${i.failingSims} customers ${i.failingTenants}`,
    )
    .join('; ');
  for (const [window, q] of [
    ['24h', {}],
    ['3d', { from: new Date(to.getTime() - 3 * DAY).toISOString(), to: new Date(now()).toISOString() }],
  ] as const) {
    const out: Outcome[] = [];
    for (const t of gen.truth) {
      const r = await diagnosis.diagnoseSim(staff, t.iccid, q);
      out.push({
        iccid: t.iccid,
        category: t.category,
        expected: expectedFor(t),
        got: r.diagnosis.rootCause.code,
        agent: agentWords(r.diagnosis, t),
      });
    }
    results.set(window, out);
  }
}, 900_000);

afterAll(() => h?.close());

function table(window: '24h' | '3d'): { rows: Map<Category, { sims: number; correct: number }>; wrong: string[] } {
  const rows = new Map<Category, { sims: number; correct: number }>();
  const wrong: string[] = [];
  for (const o of results.get(window)!) {
    const r = rows.get(o.category) ?? rows.set(o.category, { sims: 0, correct: 0 }).get(o.category)!;
    r.sims++;
    if (o.expected.includes(o.got)) r.correct++;
    else wrong.push(`${o.category} ${o.iccid}: expected ${o.expected.join(' or ')}, got ${o.got} — ${o.agent}`);
  }
  return { rows, wrong };
}

describe('diagnosis against an independent generator’s ground truth', () => {
  it('every category of the generator is present, and every event was accepted', () => {
    const seen = new Set(gen.truth.map((t) => t.category));
    for (const c of [
      'healthy',
      'apn_typo',
      'plmn_not_allowed',
      'sim_not_active',
      'sim_blocked_by_limit',
      'imei_changed',
    ])
      expect(seen, `no SIM of category ${c}`).toContain(c);
    expect(gen.events.length).toBeGreaterThan(1000);
  });

  for (const window of ['24h', '3d'] as const)
    it(`names the root cause per category over the ${window} window (printed; floors guard regressions)`, () => {
      const { rows, wrong } = table(window);
      const lines = [...rows]
        .sort(([a], [b]) => (a === 'healthy' ? 1 : b === 'healthy' ? -1 : a < b ? -1 : 1))
        .map(
          ([c, r]) =>
            `  ${c.padEnd(24)} ${String(r.sims).padStart(4)} SIMs ${String(r.correct).padStart(4)} correct ${((100 * r.correct) / r.sims).toFixed(1).padStart(6)} %`,
        );
      const macro = [...rows.values()].reduce((a, r) => a + r.correct / r.sims, 0) / rows.size;
      console.log(
        [
          `independent ground truth, ${window} window (${process.env.IOTOPS_TEST_DB ?? 'pglite'}, seed ${SEED}): ${gen.fleet.sims.length} SIMs, ${gen.events.length} events`,
          ...lines,
          `  macro average ${(100 * macro).toFixed(1)} %`,
          `  failing now: ${failingNow || 'nothing'}; outages injected: ${gen.outages
            .map(
              (o) =>
                `${o.kind} ${o.plmn ?? o.apn} ${o.start.slice(11, 16)}–${o.end?.slice(11, 16) ?? 'now'} #${o.cause} (${o.affectedIccids.length} SIMs)`,
            )
            .join('; ')}`,
          ...(wrong.length > 0 ? ['misdiagnosed:', ...wrong.map((w) => `  ${w}`)] : []),
        ].join('\n'),
      );
      const healthy = rows.get('healthy')!;
      expect(
        healthy.correct / healthy.sims,
        wrong.filter((w) => w.startsWith('healthy')).join('\n'),
      ).toBeGreaterThanOrEqual(HEALTHY_FLOOR);
      const below = [...rows].filter(([c, r]) => c !== 'healthy' && r.correct / r.sims < FLOOR).map(([c]) => c);
      expect(below, wrong.join('\n')).toEqual([]);
    });
});
