import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, testDbKind } from '../../../../test/support/harness.ts';
import { IMPORT_LOCK_CLASS } from './import.repo.ts';

// Issue 13, point 9: an import whose process died (its transaction rolled back) must not stay `running` for ever.
let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

async function runningJob(ageMs: number): Promise<number> {
  const job = await h.services.simImports.jobs.create({
    mode: 'atomic',
    upsert: false,
    source: 'api',
    filename: 'left.csv',
    createdByUserId: null,
  });
  await h.ctx.database.query(
    `UPDATE sim_imports SET started_at = now() - ($2::int * interval '1 millisecond') WHERE id = $1`,
    [job.id, ageMs],
  );
  return job.id;
}
const statusOf = async (id: number) => (await h.services.simImports.jobs.byId(id))!;

describe('abandoned SIM imports', () => {
  it('alone (the embedded database’s owner at start): every running import is failed, with the reason', async () => {
    const id = await runningJob(0);
    expect(await h.services.simImports.failAbandoned(true)).toContain(id);
    const job = await statusOf(id);
    expect(job.status).toBe('failed');
    expect(job.message).toMatch(/^sims\.import_abandoned: the process running this import stopped/);
    expect(job.finishedAt).not.toBeNull();
  });

  it.skipIf(testDbKind !== 'postgres')(
    'beside other processes: only imports past the grace whose transaction lock is free',
    async () => {
      const dead = await runningJob(120_000);
      const young = await runningJob(0);
      const live = await runningJob(120_000);
      // Another process's import transaction, alive: it holds its job's lock until it ends.
      let release!: () => void;
      let locked!: () => void;
      const holding = new Promise<void>((r) => {
        locked = r;
      });
      const tx = h.ctx.database.rawTransaction(async (t) => {
        await t.query(`SELECT pg_advisory_xact_lock(${IMPORT_LOCK_CLASS}, $1::int)`, [live]);
        locked();
        await new Promise<void>((r) => {
          release = r;
        });
      });
      await holding;
      const failed = await h.services.simImports.failAbandoned(false);
      release();
      await tx;
      expect(failed).toContain(dead);
      expect(failed).not.toContain(young);
      expect(failed).not.toContain(live);
      expect((await statusOf(dead)).status).toBe('failed');
      expect((await statusOf(young)).status).toBe('running');
      expect((await statusOf(live)).status).toBe('running');
    },
  );
});
