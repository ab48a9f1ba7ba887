/**
 * SIM bulk import (contract: shared/contracts/sim-import-v1.md), shared by the CLI and the API.
 *
 * Pipeline (the file is streamed, never held whole):
 *   body → byte guard (IMPORT_MAX_BYTES) → csv-parse (arrays; physical line numbers, header = line 1)
 *   → header check (before a job exists: a bad header is a plain 400 / exit 2)
 *   → per-row rules in csv-row.ts against in-memory lookups (account numbers, plan names)
 *   → chunks of CHUNK rows COPYed into a temp staging table; bad rows' problems COPYed into sim_import_errors
 *   → set-based duplicate checks (within the file: the later line is reported, naming the earlier; against the
 *     database) → INSERT … SELECT into sims and sim_imsis (+ UPDATE for --upsert).
 * Fast path: without --upsert and with no row error so far, the insert is tried first under a savepoint; the
 * unique indexes prove there is no duplicate, so the duplicate queries only run when that insert fails.
 * Bulk load into a small table (PGlite only, see REBUILD_MAX_EXISTING): the non-unique secondary indexes are dropped
 * before the first chunk is written and rebuilt from their own definitions before the transaction commits.
 *
 * Atomicity: the whole import is ONE transaction (staging, checks, writes and the job's final counters), in both
 * modes. atomic: any rejected line → no SIM is written, only the error report (committed with the job row).
 * skip-invalid: the good lines are written, the bad ones reported. A killed import therefore leaves nothing
 * (the job row stays `running`, with the counters of the last progress update on PostgreSQL); re-running it
 * (with --upsert if part of the file was loaded before) completes it. The unique indexes make a duplicated SIM
 * impossible even with two concurrent imports: the later one fails as a whole.
 *
 * Progress: counters are pushed to the caller per chunk (CLI bar) and, on PostgreSQL, to the job row through
 * another pool connection. PGlite has ONE connection: the import transaction holds it for the whole run, so
 * every other query of that process (API requests included) waits until the import commits; the job row
 * shows the final counters only. Use PostgreSQL for imports while the desk is in use. An upload over HTTP is
 * received whole into a temporary file before that (`spool`), so the wait is the import's, never the client's.
 */
import { Readable, Transform } from 'node:stream';
import { parse } from 'csv-parse';
import type { Principal } from '../../../platform/auth.ts';
import type { Ctx } from '../../../platform/context.ts';
import { isUniqueViolation } from '../../../platform/db/pg-errors.ts';
import { AppError, forbidden, invalid } from '../../../platform/errors.ts';
import { emitRaw } from '../../../platform/events/emit.ts';
import { drainRequest, guardUpload } from '../../../platform/http/request-body.ts';
import type { AccountsService } from '../../accounts/accounts.service.ts';
import type { CatalogService } from '../../catalog/catalog.service.ts';
import { SimEvents } from '../sims.events.ts';
import {
  type AccountRef,
  type Header,
  type Lookups,
  MAX_LINE_CHARS,
  parseHeader,
  type RowError,
  type SimRow,
  validateRow,
} from './csv-row.ts';
import { ImportErrors as E } from './import.errors.ts';
import { type Counters, type ImportJobRow, importJobsRepo, importTxRepo } from './import.repo.ts';
import { asImportError, unclosedQuoteAt } from './import-failure.ts';
import { moveErrors } from './import-moves.ts';
import { importReport } from './import-report.ts';
import { removeStaleSpools, spool } from './upload-spool.ts';
import { utf8Guard } from './utf8-guard.ts';

export const CHUNK = 50_000;
/**
 * Bulk load into a small table (PostgreSQL's "Populating a Database": drop indexes, load, recreate). When the first
 * chunk is full (the file has at least CHUNK lines) and sims holds fewer than this many rows, the non-unique
 * secondary indexes of sims and sim_imsis are dropped inside the import transaction and rebuilt before it commits.
 * Worst case at this size: one full chunk into 99,999 SIMs is ~0.1 s slower with it (bench/index-rebuild.bench.ts);
 * more lines or a smaller table gain (1M lines into an empty table: ~25 s → ~20 s, docs/PERFORMANCE.md).
 * PGlite only: on PostgreSQL DROP INDEX holds an ACCESS EXCLUSIVE lock on sims until commit, which would block
 * every SIM read of every tenant for the whole import (and could deadlock with a concurrent import). On PGlite the
 * import transaction already holds the only connection, so nothing else can run meanwhile anyway.
 */
export const REBUILD_MAX_EXISTING = 100_000;

export type ImportMode = 'atomic' | 'skip-invalid';
export type ImportOptions = {
  mode: ImportMode;
  upsert: boolean;
  source: 'cli' | 'api';
  filename: string | null;
  /** Bytes allowed in the body (API); exceeding it fails the import with sims.import_too_large. */
  maxBytes?: number;
  /**
   * An upload (API) that sends nothing for this long, or whose client goes away before its end, fails the import:
   * its transaction (on PGlite the only connection) must not wait for it forever.
   */
  idleMs?: number;
  onProgress?: (p: Progress) => void;
  /** Rows per COPY chunk (default CHUNK); tests use tiny chunks to cross chunk boundaries. */
  chunkRows?: number;
  /** false: never drop/rebuild the secondary indexes (default: decided per REBUILD_MAX_EXISTING; benchmarks). */
  indexRebuild?: boolean;
};
export type Progress = Counters & { bytes: number; phase: 'reading' | 'checking' | 'writing' | 'done' };
/** The outcome: the final job row and, when the import was refused, the error code (invalid rows / duplicates). */
export type ImportResult = { job: ImportJobRow; code: string | null };

type CsvRecord = { record: string[]; info: { lines: number; bytes: number } };

/** csv-parse reports the line a record ends on; a quoted field may span lines, so count back its newlines. */
function startLine(r: CsvRecord): number {
  let nl = 0;
  for (const f of r.record) {
    for (let i = f.indexOf('\n'); i !== -1; i = f.indexOf('\n', i + 1)) nl++;
  }
  return r.info.lines - nl;
}

function byteGuard(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > maxBytes) {
        cb(
          new AppError('too_large', E.tooLarge, `The import body is larger than ${maxBytes} bytes`, [
            { field: 'body', value: seen, reason: `limit is ${maxBytes} bytes (IMPORT_MAX_BYTES)` },
          ]),
        );
      } else cb(null, chunk);
    },
  });
}

export type ImportService = ReturnType<typeof createImportService>;

export function createImportService(
  ctx: Pick<Ctx, 'database' | 'log'>,
  deps: { accounts: Pick<AccountsService, 'allNumbers'>; catalog: Pick<CatalogService, 'planResolver'> },
) {
  const jobs = importJobsRepo(ctx.database);

  async function lookups(): Promise<Lookups> {
    const byNumber = new Map<string, AccountRef>();
    for (const a of await deps.accounts.allNumbers()) byNumber.set(a.number, a);
    const comm = await deps.catalog.planResolver('communication');
    const rate = await deps.catalog.planResolver('rate');
    const byId = new Map([...byNumber.values()].map((a) => [a.id, a]));
    return {
      account: (n) => byNumber.get(n),
      accountById: (id) => byId.get(id),
      communicationPlan: comm,
      ratePlan: rate,
    };
  }

  async function run(
    it: AsyncIterator<CsvRecord>,
    header: Header,
    lk: Lookups,
    job: ImportJobRow,
    actor: Principal,
    opts: ImportOptions,
    parsed: { line: number },
  ): Promise<ImportResult> {
    const c: Counters = { rowsRead: 0, rowsImported: 0, rowsUpdated: 0, rowsRejected: 0 };
    let bytes = 0;
    let phaseStarted = Date.now();
    let current: Progress['phase'] = 'reading';
    const report = async (phase: Progress['phase']) => {
      opts.onProgress?.({ ...c, bytes, phase });
      if (phase !== current) {
        ctx.log.debug({ importId: job.id, phase: current, ms: Date.now() - phaseStarted }, 'SIM import phase done');
        phaseStarted = Date.now();
        current = phase;
      }
      // PGlite: the transaction holds the only connection; an outside query would wait for it forever.
      if (ctx.database.kind === 'postgres' && phase === 'reading') await jobs.progress(job.id, c);
    };
    let rowErrors = 0;
    try {
      return await ctx.database.rawTransaction(async (tx) => {
        const r = importTxRepo(tx, job.id);
        await r.holdRunningLock();
        await r.createStage();
        // Fast path: each chunk goes straight on to sims/sim_imsis while the next one is parsed (on PostgreSQL the
        // server works on chunk k while Node parses chunk k+1). Off for --upsert, after the first unique violation,
        // and in atomic mode after the first bad line; the stage keeps every line for the checks either way.
        let fast = !opts.upsert;
        let writtenThrough = 0;
        let first = true;
        let dropped: string[] = [];
        const flush = async (rows: SimRow[], errors: RowError[], full: boolean) => {
          if (first) {
            first = false;
            const bulk = full && ctx.database.kind === 'pglite' && opts.indexRebuild !== false;
            if (bulk && (await r.simsUpTo(REBUILD_MAX_EXISTING)) < REBUILD_MAX_EXISTING) {
              dropped = await r.dropSecondaryIndexes();
            }
          }
          const last = rows[rows.length - 1]?.line;
          if (last !== undefined) {
            const direct = fast && (opts.mode === 'skip-invalid' || rowErrors === 0);
            await r.stage(rows, direct);
            if (direct) {
              await r.savepoint();
              try {
                await r.writeChunk();
                await r.releaseSavepoint();
                writtenThrough = last;
              } catch (e) {
                if (!isUniqueViolation(e)) throw e;
                await r.rollbackToSavepoint();
                fast = false;
              }
            }
          }
          await r.addReadErrors(errors);
          await report('reading');
        };
        const chunkRows = opts.chunkRows ?? CHUNK;
        let pending: Promise<void> = Promise.resolve();
        let rows: SimRow[] = [];
        let errors: RowError[] = [];
        for (let n = await it.next(); !n.done; n = await it.next()) {
          const rec = n.value;
          c.rowsRead++;
          bytes = rec.info.bytes;
          const row = validateRow(rec.record, startLine(rec), header, lk, errors);
          if (row) rows.push(row);
          else rowErrors = ++c.rowsRejected;
          if (rows.length + errors.length >= chunkRows) {
            await pending;
            pending = flush(rows, errors, true);
            pending.catch(() => undefined); // awaited before the next chunk; this only silences the early warning
            rows = [];
            errors = [];
          }
        }
        await pending;
        await flush(rows, errors, false);

        await report('checking');
        if (fast && rowErrors === 0) {
          c.rowsImported = c.rowsRead; // every line written by the fast path, the unique indexes vouch for it
        } else if (fast && opts.mode === 'skip-invalid') {
          c.rowsImported = c.rowsRead - c.rowsRejected;
        } else {
          if (opts.upsert) {
            await r.markExisting();
            await r.addRowErrors(moveErrors(await r.movedSims(), lk.accountById, lk));
          }
          await r.checkDuplicates(opts.upsert);
          c.rowsRejected = rowErrors + (await r.rejectedStagedLines());
          if (opts.mode === 'skip-invalid' || c.rowsRejected === 0) {
            await report('writing');
            if (c.rowsRejected > rowErrors) await r.dropRejected();
            const staged = await r.stagedCounts();
            await r.insertNew(writtenThrough);
            if (staged.updated > 0) await r.updateExisting(actor.userId || null, actor.email);
            c.rowsImported = staged.inserted;
            c.rowsUpdated = staged.updated;
          } else if (writtenThrough > 0) {
            await r.removeWritten(writtenThrough);
          }
        }
        if (dropped.length > 0) {
          const t0 = Date.now();
          await r.rebuildIndexes(dropped);
          ctx.log.debug({ importId: job.id, indexes: dropped.length, ms: Date.now() - t0 }, 'SIM indexes rebuilt');
        }
        const refused = opts.mode === 'atomic' && c.rowsRejected > 0;
        const code = !refused ? null : rowErrors === 0 ? E.duplicates : E.rowsInvalid;
        // A failed job's message starts with its error code (the job view derives `errorCode` from it).
        const message = refused
          ? `${code}: ${c.rowsRejected} of ${c.rowsRead} lines rejected; nothing imported (atomic)`
          : `${c.rowsImported} imported, ${c.rowsUpdated} updated, ${c.rowsRejected} rejected of ${c.rowsRead} lines`;
        // Announced with the commit: network records that arrived before these SIMs existed (orphans) get adopted.
        if (!refused && c.rowsImported > 0)
          await emitRaw(tx, SimEvents.added, { importId: job.id }, { dedupeKey: `${SimEvents.added.name}:${job.id}` });
        await r.finish(refused ? 'failed' : 'succeeded', message, c);
        await report('done');
        return {
          job: { ...job, ...c, status: refused ? 'failed' : 'succeeded', message, finishedAt: new Date() },
          code,
        };
      });
    } catch (e) {
      const err = asImportError(unclosedQuoteAt(e, parsed.line + 1));
      c.rowsImported = 0;
      c.rowsUpdated = 0;
      await jobs.fail(job.id, `${err.code}: ${err.message}`, c);
      // The client's file or upload (a bad line, not UTF-8, stalled) is not the server's fault: no stack trace.
      if (err.kind === 'unavailable') ctx.log.warn({ importId: job.id, err: e }, 'SIM import failed');
      else ctx.log.info({ importId: job.id, code: err.code, reason: err.message }, 'SIM import refused');
      throw err;
    }
  }

  /**
   * Reads and checks the header, opens the job, and returns it with `done`, the running import.
   * A bad header throws here (no job is created). `done` rejects only with an AppError.
   */
  async function start(
    actor: Principal,
    input: Readable,
    opts: ImportOptions,
  ): Promise<{ job: ImportJobRow; done: Promise<ImportResult> }> {
    if (actor.role === 'customer') {
      drainRequest(input);
      throw forbidden(E.staffOnly, 'SIM imports are done by the provider’s staff');
    }
    const unguard = opts.idleMs === undefined ? () => undefined : guardUpload(input, opts.idleMs);
    const guarded = opts.maxBytes === undefined ? input : input.pipe(byteGuard(opts.maxBytes));
    if (guarded !== input) {
      input.on('error', (e) => {
        if (!guarded.destroyed) guarded.destroy(e);
      });
      // The request can still fail after its reader is done with it (Node aborts it when the client goes away):
      // an error with no one left to hear it would be thrown out of the process.
      guarded.on('error', () => undefined);
    }
    // On the embedded database the import holds its one session from the header on, so an upload (idleMs: it comes
    // over the network) is received whole into a temporary file first: a slow, stalled or cut-off upload then
    // fails alone, and the desk's other requests never wait for a client's bytes (probe round 3: 30 s frozen).
    // UTF-8 and line length are checked as the bytes arrive, before any spooling: a refusal comes early.
    const checked = guarded.pipe(utf8Guard(MAX_LINE_CHARS));
    guarded.on('error', (e) => {
      if (!checked.destroyed) checked.destroy(e);
    });
    // Bytes flow (and may be refused) before the spool or the parser listens; they see the stream's stored error.
    checked.on('error', () => undefined);
    let body: Readable = checked;
    let unspool = async (): Promise<void> => {};
    if (opts.idleMs !== undefined && ctx.database.kind === 'pglite') {
      try {
        const spooled = await spool(checked);
        body = spooled.stream;
        // The spool file is read by a stream that a failed parse only unpipes: it is closed here, or its descriptor
        // would keep the deleted file (and its disk space) for the life of the process (probe round 4, N2).
        unspool = async () => {
          spooled.stream.destroy();
          await spooled.remove();
        };
      } catch (e) {
        unguard();
        drainRequest(input);
        throw asImportError(e);
      }
      unguard();
    }
    const source = body;
    // Where the last record parsed ended: a quote never closed opened in the record after it.
    const parsed = { line: 0 };
    const parser = source.pipe(
      parse({
        bom: true,
        info: true,
        relax_column_count: true,
        skip_empty_lines: true,
        // A line past this is refused as it arrives, not after buffering a whole 50 MB line with no newline.
        max_record_size: MAX_LINE_CHARS,
        on_record: (record, context) => {
          parsed.line = context.lines;
          return record;
        },
      }),
    );
    source.on('error', (e) => parser.destroy(e));
    const it = (parser as AsyncIterable<CsvRecord>)[Symbol.asyncIterator]();
    try {
      const first = await it.next();
      if (first.done)
        throw invalid(E.empty, 'The file is empty: a header row is required', [
          { line: 1, field: '(header)', reason: 'no header row' },
        ]);
      const { header, errors } = parseHeader(first.value.record);
      if (errors.length > 0) {
        throw invalid(E.headerInvalid, `Invalid header: ${errors[0]!.field}: ${errors[0]!.reason}`, errors);
      }
      const lk = await lookups();
      const job = await jobs.create({
        mode: opts.mode,
        upsert: opts.upsert,
        source: opts.source,
        filename: opts.filename,
        createdByUserId: actor.userId || null,
      });
      // A failed import stops reading: the rest of the upload is read and dropped (request-body.ts drainRequest).
      const done = run(it, header, lk, job, actor, opts, parsed).then(
        async (r) => {
          unguard();
          drainRequest(input);
          await unspool();
          return r;
        },
        async (e: unknown) => {
          unguard();
          drainRequest(input);
          await unspool();
          throw e;
        },
      );
      return { job, done };
    } catch (e) {
      unguard();
      input.unpipe();
      parser.destroy();
      drainRequest(input);
      await unspool();
      throw asImportError(unclosedQuoteAt(e, parsed.line + 1));
    }
  }

  return {
    jobs,
    report: importReport(jobs),
    start,
    /**
     * At start (and, on PostgreSQL, every minute): imports left `running` by a process that died are marked failed
     * with the reason (issue 13, point 9). `alone`: this process owns the database (PGlite's owner), so every running
     * import is dead; otherwise only those whose transaction's lock is gone, after a minute's grace (the job row is
     * committed a moment before its transaction takes the lock).
     */
    async failAbandoned(alone: boolean): Promise<number[]> {
      const ids = await jobs.failAbandoned({
        everyRunning: alone,
        graceMs: 60_000,
        message: `${E.abandoned}: the process running this import stopped before it finished (restart, crash or kill); nothing of it was written — run it again`,
      });
      if (ids.length > 0) ctx.log.warn({ importIds: ids }, 'SIM imports of a stopped process marked failed');
      return ids;
    },
    /** At start: spooled uploads a killed process left behind (see upload-spool.ts). */
    async removeStaleUploads(): Promise<number> {
      const removed = await removeStaleSpools();
      if (removed > 0) ctx.log.warn({ removed }, 'spooled uploads of a stopped process removed');
      return removed;
    },
    /** The whole import, awaited (tests and small callers). */
    async importCsv(
      actor: Principal,
      csv: string | Readable,
      opts: Omit<ImportOptions, 'source' | 'filename'> & Partial<Pick<ImportOptions, 'source' | 'filename'>>,
    ): Promise<ImportResult> {
      const input = typeof csv === 'string' ? Readable.from([csv]) : csv;
      const { done } = await start(actor, input, { source: 'cli', filename: null, ...opts });
      return done;
    },
  };
}
