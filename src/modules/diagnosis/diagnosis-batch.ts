/**
 * Diagnosis of many SIMs (up to 100,000) as a job: POST /api/v1/diagnoses resolves the selection within the
 * caller's reach into the job's SIM list at once (so "what was asked" never drifts), answers 202 with the id, and
 * the worker role diagnoses them through the platform job queue. A worker run takes one slice of SIMs (bounded in
 * count and time, well inside the queue's lease), writes its results set-based and enqueues the next slice, so a
 * 100k job is many short runs any worker may pick up; a run retried after a crash skips SIMs already done.
 */
import type { Principal } from '../../platform/auth.ts';
import { scopeOf } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { invalid, notFound } from '../../platform/errors.ts';
import type { Language } from '../accounts/accounts.schemas.ts';
import { parseWindow } from '../network/window.ts';
import { displayIccid } from '../sims/identifiers.ts';
import type { SimsService } from '../sims/sims.service.ts';
import { DiagnosisErrors as E } from './diagnosis.errors.ts';
import type { SimRef } from './diagnosis.repo.ts';
import type { CreateDiagnosesBody, DiagnosesJobQuery } from './diagnosis.schemas.ts';
import type { DiagnosisService } from './diagnosis.service.ts';
import { diagnosisBatchRepo, type ResultRow } from './diagnosis-batch.repo.ts';

export const MAX_SIMS = 100_000;
/** SIMs per worker run, and the time a run may take before it hands over to the next one. */
export const SLICE = 500;
export const SLICE_MS = 20_000;

export type BatchDeps = {
  sims: Pick<SimsService, 'selection' | 'selectionQuery' | 'byIds'>;
  diagnosis: Pick<DiagnosisService, 'diagnoseRef'>;
};

const CURSOR = /^p(\d{1,7})$/;

export function createDiagnosisBatch(
  ctx: Pick<Ctx, 'database' | 'config'>,
  deps: BatchDeps,
  opts: { now?: () => number } = {},
) {
  const now = opts.now ?? Date.now;
  const repo = diagnosisBatchRepo(ctx.database);
  // PGlite has one connection: concurrent diagnoses would only queue behind each other.
  const concurrency = ctx.database.kind === 'pglite' ? 1 : Math.max(1, Math.min(4, ctx.config.poolSize - 2));

  /** The job if the principal may see it: staff all; a customer the jobs made at or below its own account. */
  async function load(p: Principal, id: number) {
    const job = await repo.get(id);
    const scope = scopeOf(p);
    const visible =
      job !== undefined &&
      (scope.kind === 'operator' ||
        (job.tenantId === scope.tenantId && (job.accountPath ?? '').startsWith(scope.accountPath)));
    if (!visible)
      throw notFound(E.jobNotFound, `Diagnosis job ${id} not found`, [{ field: 'id', value: id, reason: 'not found' }]);
    return job;
  }

  return {
    async create(p: Principal, body: CreateDiagnosesBody) {
      const window = parseWindow(body, { retentionDays: ctx.config.retentionDays, now: now() });
      const { where, iccids } = await deps.sims.selection(p, body.selection);
      const scope = scopeOf(p);
      const listed = 'iccids' in body.selection ? body.selection.iccids : [];
      const job = await repo.create(
        {
          tenantId: scope.kind === 'customer' ? scope.tenantId : null,
          accountPath: scope.kind === 'customer' ? scope.accountPath : null,
          createdByUserId: p.userId || null,
          createdBy: p.email,
          total: 0,
          windowFrom: window.from,
          windowTo: window.to,
          language: body.language ?? null,
        },
        deps.sims.selectionQuery(where, MAX_SIMS + 1),
        async (tx, jobId, taken) => {
          if (taken > MAX_SIMS)
            throw invalid(E.tooManySims, `The selection holds more than ${MAX_SIMS} SIMs`, [
              { field: 'selection', value: `> ${MAX_SIMS} SIMs`, reason: `at most ${MAX_SIMS} SIMs per job` },
            ]);
          if (iccids && taken < iccids.length) {
            const missing = await repo.missing(tx, jobId, iccids, 100);
            throw invalid(E.iccidUnknown, `${iccids.length - taken} of the listed SIMs are unknown`, [
              ...missing.map((m) => ({
                field: `selection.iccids[${listed.findIndex((raw) => raw.trim().startsWith(m))}]`,
                value: displayIccid(m),
                reason: 'unknown SIM',
              })),
            ]);
          }
          if (taken === 0)
            throw invalid(E.noSims, 'The selection holds no SIM', [
              { field: 'selection', value: 0, reason: 'no SIM matches' },
            ]);
        },
      );
      return job;
    },

    async get(p: Principal, id: number, q: DiagnosesJobQuery) {
      const job = await load(p, id);
      let after = -1;
      if (q.cursor !== undefined) {
        const m = CURSOR.exec(q.cursor);
        if (!m)
          throw invalid(E.cursorInvalid, 'Invalid cursor', [
            { field: 'cursor', value: q.cursor, reason: 'not a cursor from this list' },
          ]);
        after = Number(m[1]);
      }
      const [counts, rows] = await Promise.all([
        repo.counts(id),
        repo.results({ jobId: id, after, limit: q.limit + 1, rootCause: q.rootCause }),
      ]);
      const more = rows.length > q.limit;
      const items = more ? rows.slice(0, q.limit) : rows;
      return {
        job,
        counts,
        items,
        nextCursor: more ? `p${items[items.length - 1]!.position}` : null,
        audience: scopeOf(p).kind === 'customer' ? ('customer' as const) : ('staff' as const),
      };
    },

    /** For other modules' messages about a finished job (webhooks): its outcome and root causes, no SIM list. */
    async summaryOf(jobId: number) {
      const job = await repo.get(jobId);
      if (!job) return undefined;
      const rootCauses = (await repo.counts(jobId)).map((r) => ({
        rootCause: r.root_cause,
        verdict: r.verdict,
        sims: Number(r.sims),
      }));
      return {
        id: job.id,
        status: job.status,
        total: job.total,
        error: job.error,
        finishedAt: job.finishedAt?.toISOString() ?? null,
        rootCauses,
      };
    },

    /** The worker gave up on the job (its slice kept failing): failed, saying why. */
    fail: (jobId: number, error: string, at: Date) => repo.fail(jobId, error, at),

    /** One worker run: a slice from `from` on, then the next run (or done). */
    async run(jobId: number, from: number, at: Date): Promise<void> {
      const job = await repo.get(jobId);
      if (!job || job.status === 'done' || job.status === 'failed') return;
      const started = performance.now();
      const window = { from: job.windowFrom, to: job.windowTo };
      const tenantId = job.tenantId ?? undefined;
      let next = from;
      for (;;) {
        const positions = await repo.slice(jobId, next, SLICE);
        if (positions.length === 0) {
          await repo.finish(jobId, at);
          return;
        }
        // What a diagnosis reads of each SIM, as it is now, from the SIMs service (one call per slice).
        const sims = new Map((await deps.sims.byIds(positions.map((x) => x.simId))).map((s) => [s.id, s]));
        const slice = positions.flatMap(({ position, simId }): (SimRef & { position: number })[] => {
          const s = sims.get(simId);
          return s
            ? [
                {
                  position,
                  id: s.id,
                  accountId: s.accountId,
                  iccid: s.iccid,
                  msisdn: s.msisdn,
                  imei: s.imei,
                  imeiLock: s.imeiLock,
                  state: s.state,
                  stateChangedAt: s.stateChangedAt,
                  communicationPlanId: s.communicationPlanId,
                  ratePlanId: s.ratePlanId,
                },
              ]
            : [];
        });
        const results: ResultRow[] = [];
        let i = 0;
        const worker = async () => {
          while (i < slice.length) {
            const s = slice[i++]!;
            const { diagnosis, accountLanguage } = await deps.diagnosis.diagnoseRef(s, window, tenantId);
            const rc = diagnosis.rootCause;
            const language = (job.language as Language | null) ?? accountLanguage;
            results.push({
              position: s.position,
              rootCause: rc.code,
              verdict: rc.verdict,
              confidence: rc.confidence,
              check: rc.check,
              summaryAgent: rc.summary.agent,
              summaryCustomer: rc.summary.customer[language],
              language,
            });
          }
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
        await repo.saveResults(jobId, results, at);
        next = positions[positions.length - 1]!.position + 1;
        if (performance.now() - started > SLICE_MS) {
          await repo.continueAt(jobId, next);
          return;
        }
      }
    },
  };
}

export type DiagnosisBatch = ReturnType<typeof createDiagnosisBatch>;
