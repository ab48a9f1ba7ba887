/**
 * Diagnoses of many SIMs, SQL only: the job row, its SIMs (resolved set-based from the selection at creation, in
 * ICCID order), the worker's slices and results, the counts per root cause and the paged results.
 */

import { type SQL, sql } from 'drizzle-orm';
import type { Database, Db } from '../../platform/db/client.ts';
import { emitRaw } from '../../platform/events/emit.ts';
import { enqueueIn } from '../../platform/jobs/outbox.ts';
import { DiagnosisEvents } from './diagnosis.events.ts';
import { diagnosisJobs } from './diagnosis.tables.ts';

export type JobRow = typeof diagnosisJobs.$inferSelect;
export const RUN_JOB = 'diagnosis.run';

export type ResultRow = {
  position: number;
  rootCause: string;
  verdict: string;
  confidence: string;
  check: string | null;
  summaryAgent: string;
  summaryCustomer: string;
  language: string;
};

const rows = <T>(r: unknown) => (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];

export function diagnosisBatchRepo(database: Database) {
  const db: Db = database.db;
  /** The job's end and its announcement (diagnosis.job_finished), in one transaction; a job ends once. */
  async function ended(update: string, params: unknown[]): Promise<void> {
    await database.rawTransaction(async (tx) => {
      const [row] = await tx.query<{
        id: string;
        status: 'done' | 'failed';
        tenant_id: string | null;
        account_path: string | null;
      }>(update, params);
      if (!row) return;
      await emitRaw(tx, DiagnosisEvents.jobFinished, {
        jobId: Number(row.id),
        status: row.status,
        tenantId: row.tenant_id === null ? null : Number(row.tenant_id),
        accountPath: row.account_path,
      });
    });
  }

  return {
    /**
     * In one transaction: the job, its SIMs (the caller's statement takes at most its maximum + 1, so "too many" is
     * known without counting them all) and its first worker run (outbox). `check` may refuse the selection and roll everything back.
     */
    create(
      job: typeof diagnosisJobs.$inferInsert,
      /** The SIMs, `(id, iccid)` in ICCID order (the SIMs service's selectionQuery). */
      selected: SQL,
      check: (tx: Db, jobId: number, taken: number) => Promise<void>,
    ): Promise<JobRow> {
      return db.transaction(async (tx) => {
        const [row] = await tx.insert(diagnosisJobs).values(job).returning();
        const id = row!.id;
        const taken = rows<{ n: number }>(
          await tx.execute(sql`with t as (
              insert into diagnosis_job_sims (job_id, position, sim_id, iccid)
              select ${id}, (row_number() over (order by s.iccid))::int - 1, s.id, s.iccid
                from (${selected}) s
              returning 1)
            select count(*)::int as n from t`),
        )[0]!.n;
        await check(tx, id, taken);
        await tx.execute(sql`update diagnosis_jobs set total = ${taken} where id = ${id}`);
        await enqueueIn(tx, RUN_JOB, { jobId: id, from: 0 }, { dedupeKey: `${RUN_JOB}:${id}:0` });
        return { ...row!, total: taken };
      });
    },

    /** Listed ICCID bodies the job did not take (unknown, or out of the caller's reach), at most `limit`. */
    async missing(tx: Db, jobId: number, iccids: readonly string[], limit: number): Promise<string[]> {
      const r = rows<{ iccid: string }>(
        await tx.execute(sql`select v.iccid from unnest(string_to_array(${iccids.join(',')}, ',')) as v(iccid)
           where not exists (select 1 from diagnosis_job_sims j where j.job_id = ${jobId} and j.iccid = v.iccid)
           limit ${limit}`),
      );
      return r.map((x) => x.iccid);
    },

    async get(id: number): Promise<JobRow | undefined> {
      const [r] = await db.select().from(diagnosisJobs).where(sql`${diagnosisJobs.id} = ${id}`);
      return r;
    },

    /** The next SIMs still to diagnose from `from` on: positions and SIM ids (the SIMs service has the rest). */
    slice: (jobId: number, from: number, limit: number) =>
      database
        .query<{ position: number; sim_id: string | number }>(
          `select position, sim_id from diagnosis_job_sims
            where job_id = $1 and position >= $2 and root_cause is null
            order by position limit $3`,
          [jobId, from, limit],
        )
        .then((rs) => rs.map((r) => ({ position: Number(r.position), simId: Number(r.sim_id) }))),

    /** Writes a slice's results (only rows still empty: a re-run after a lost lease adds nothing twice). */
    async saveResults(jobId: number, results: ResultRow[], at: Date): Promise<void> {
      if (results.length === 0) return;
      const col = <T>(f: (r: ResultRow) => T) => results.map(f);
      await database.query(
        `with w as (
           update diagnosis_job_sims j set root_cause = v.rc, verdict = v.verdict, confidence = v.confidence,
                  "check" = v.chk, summary_agent = v.agent, summary_customer = v.customer, language = v.lang,
                  diagnosed_at = $10
             from unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
                  as v(pos, rc, verdict, confidence, chk, agent, customer, lang)
            where j.job_id = $1 and j.position = v.pos and j.root_cause is null
           returning 1)
         update diagnosis_jobs set processed = processed + (select count(*) from w), status = 'running' where id = $1`,
        [
          jobId,
          col((r) => r.position),
          col((r) => r.rootCause),
          col((r) => r.verdict),
          col((r) => r.confidence),
          col((r) => r.check),
          col((r) => r.summaryAgent),
          col((r) => r.summaryCustomer),
          col((r) => r.language),
          at,
        ],
      );
    },

    /** A job that cannot go on: failed with the reason (what was diagnosed so far stays readable). */
    async fail(jobId: number, error: string, at: Date): Promise<void> {
      await ended(
        `update diagnosis_jobs set status = 'failed', error = $2, finished_at = $3 where id = $1 and status <> 'done'
         returning id, status, tenant_id, account_path`,
        [jobId, error.slice(0, 2000), at],
      );
    },

    async finish(jobId: number, at: Date): Promise<void> {
      await ended(
        `update diagnosis_jobs set status = 'done', finished_at = $2 where id = $1 and status not in ('done', 'failed')
         returning id, status, tenant_id, account_path`,
        [jobId, at],
      );
    },

    /** The worker's next run, deduped by its start position (a retried run never enqueues its successor twice). */
    continueAt(jobId: number, from: number): Promise<void> {
      return enqueueIn(db, RUN_JOB, { jobId, from }, { dedupeKey: `${RUN_JOB}:${jobId}:${from}` });
    },

    counts(jobId: number) {
      return database.query<{ root_cause: string; verdict: string; sims: number }>(
        `select root_cause, min(verdict) as verdict, count(*)::int as sims from diagnosis_job_sims
          where job_id = $1 and root_cause is not null group by root_cause order by sims desc, root_cause`,
        [jobId],
      );
    },

    results(q: { jobId: number; after: number; limit: number; rootCause?: string | undefined }) {
      const params: unknown[] = [q.jobId, q.after, q.limit];
      const rc = q.rootCause === undefined ? '' : ` and root_cause = $${params.push(q.rootCause)}`;
      return database.query<{
        position: number;
        iccid: string;
        root_cause: string | null;
        verdict: string | null;
        confidence: string | null;
        check: string | null;
        summary_agent: string | null;
        summary_customer: string | null;
        language: string | null;
        diagnosed_at: Date | null;
      }>(
        `select position, iccid, root_cause, verdict, confidence, "check", summary_agent, summary_customer, language,
                diagnosed_at
           from diagnosis_job_sims where job_id = $1 and position > $2${rc} order by position limit $3`,
        params,
      );
    },
  };
}

export type DiagnosisBatchRepo = ReturnType<typeof diagnosisBatchRepo>;
