/**
 * Reading import jobs and their line-numbered error reports. Imports are the provider's business: a customer
 * gets 404 for any job id (never confirming that it exists).
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { isStaff, type Principal } from '../../../platform/auth.ts';
import { type AppError, conflict, invalid, notFound } from '../../../platform/errors.ts';
import type { RowError } from './csv-row.ts';
import { ImportErrors as E } from './import.errors.ts';
import type { ImportJobRow, importJobsRepo } from './import.repo.ts';
import type { ImportResult } from './import.service.ts';

type Jobs = ReturnType<typeof importJobsRepo>;
const PAGE = 5_000;

export function importReport(jobs: Jobs) {
  async function job(p: Principal, id: number): Promise<ImportJobRow> {
    const j = isStaff(p) ? await jobs.byId(id) : undefined;
    if (!j) throw notFound(E.notFound, `Import ${id} not found`, [{ field: 'id', value: id, reason: 'not found' }]);
    return j;
  }

  return {
    job,

    async errorPage(p: Principal, id: number, offset: number, limit: number) {
      await job(p, id);
      return jobs.errorPage(id, offset, limit);
    },

    /** The whole report as CSV (line,field,value,reason), paged by line so a huge report streams. */
    async errorsCsv(p: Principal, id: number): Promise<Readable> {
      await job(p, id);
      async function* rows() {
        yield ['line', 'field', 'value', 'reason'];
        for (let after = 0; ; ) {
          const page = await jobs.errors(id, after, PAGE);
          const last = page[page.length - 1]?.line;
          // A full page may cut a line's problems in two: that line is read again with the next page.
          const complete = page.length < PAGE ? page : page.filter((e) => e.line !== last);
          for (const e of complete.length > 0 ? complete : page) yield [e.line, e.field ?? '', e.value ?? '', e.reason];
          if (page.length < PAGE || last === undefined || complete.length === 0) return;
          after = last - 1;
        }
      }
      const out = stringify({ record_delimiter: 'unix' });
      const src = Readable.from(rows());
      src.on('error', (e) => out.destroy(e));
      return src.pipe(out);
    },

    /** For `?wait=true`: a refused import becomes the error the caller gets (400 / 409), with its first problems. */
    async outcomeError(result: ImportResult): Promise<AppError | null> {
      if (result.code === null) return null;
      const { items } = await jobs.errorPage(result.job.id, 0, 100);
      const details = items.map((e: RowError) => ({
        line: e.line,
        ...(e.field === null ? {} : { field: e.field }),
        ...(e.value === null ? {} : { value: e.value }),
        reason: e.reason,
      }));
      const message = `Import ${result.job.id}: ${result.job.rowsRejected} of ${result.job.rowsRead} lines rejected; nothing imported`;
      return result.code === E.duplicates
        ? conflict(result.code, message, details)
        : invalid(result.code, message, details);
    },
  };
}
