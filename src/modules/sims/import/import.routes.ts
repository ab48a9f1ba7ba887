import type { Readable } from 'node:stream';
import { z } from 'zod';
import { AppError } from '../../../platform/errors.ts';
import type { App } from '../../../platform/http/app.ts';
import { principalOf } from '../../../platform/http/auth-hooks.ts';
import { charsetProblem } from '../../../platform/http/charset.ts';
import { ErrorBody } from '../../../platform/http/errors.ts';
import { drainRequest } from '../../../platform/http/request-body.ts';
import type { ExportService } from './export.service.ts';
import { ImportErrors as E } from './import.errors.ts';
import { presentImportJob } from './import.presenter.ts';
import {
  ExportQuery,
  ImportErrorPage,
  ImportErrorsQuery,
  ImportIdParams,
  ImportJobView,
  StartImportQuery,
} from './import.schemas.ts';
import type { ImportService } from './import.service.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['sims'];
const CsvText = z.string().describe('CSV per the SIM import contract (header row first)');
/** The CSV answers are streams; the schema documents them as text (Fastify never serializes a stream). */
const asText = (s: Readable) => s as unknown as string;

/**
 * The import body is streamed: the `text/csv` parser (scoped to these routes) hands the raw request stream to
 * the service instead of buffering it, and IMPORT_MAX_BYTES is enforced on the declared length (413 at once)
 * and on the bytes actually read (the job fails with sims.import_too_large; 413 with `wait=true`).
 */
export function simTransferRoutes(
  imports: ImportService,
  exports: ExportService,
  opts: { importMaxBytes: number; bodyIdleTimeoutMs: number },
) {
  return (app: App) => {
    app.register(async (scope: App) => {
      scope.addContentTypeParser(['text/csv', 'application/csv'], (req, payload, done) => {
        const charset = charsetProblem(req.headers['content-type']);
        if (charset) {
          drainRequest(payload);
          return done(charset, undefined);
        }
        return done(null, payload);
      });

      scope.post(
        '/api/v1/sims/imports',
        {
          config: {
            auth: 'write',
            openapi: {
              body: {
                contentTypes: ['text/csv'],
                description: 'The SIM file (shared/contracts/sim-import-v1.md), streamed: header row first',
              },
            },
          },
          schema: {
            tags,
            operationId: 'importSims',
            summary: 'Import SIMs from CSV',
            description:
              'The body is the CSV file, streamed (content-type: text/csv); the answer is the import job. ' +
              'Staff only. 202 with the job at once (poll GET /api/v1/sims/imports/{id}); with `wait=true` the answer ' +
              'comes when it is done. A bad header is a 400 before any job exists. PGlite (embedded) holds one ' +
              'connection: other requests wait while an import runs.',
            querystring: StartImportQuery,
            // 408: with `wait=true`, an upload that stops arriving for BODY_IDLE_TIMEOUT_MS (request.body_stalled).
            response: {
              200: ImportJobView,
              202: ImportJobView,
              408: ErrorBody,
              409: ErrorBody,
              413: ErrorBody,
              415: ErrorBody,
              ...errors,
            },
          },
        },
        async (req, reply) => {
          const declared = Number(req.headers['content-length'] ?? 0);
          if (declared > opts.importMaxBytes) {
            throw new AppError('too_large', E.tooLarge, `The import body is larger than ${opts.importMaxBytes} bytes`, [
              { field: 'content-length', value: declared, reason: `limit is ${opts.importMaxBytes} bytes` },
            ]);
          }
          const body = req.body as Readable | undefined;
          if (!body || typeof body.pipe !== 'function') {
            throw new AppError('invalid', E.empty, 'Send the CSV as the request body with content-type text/csv', [
              { field: 'body', reason: 'missing' },
            ]);
          }
          const { job, done } = await imports.start(principalOf(req), body, {
            mode: req.query.mode,
            upsert: req.query.upsert,
            source: 'api',
            // Only the name: a client's directory layout is not ours to keep (probe round 4).
            filename: req.query.filename?.split(/[\\/]/).pop() || null,
            maxBytes: opts.importMaxBytes,
            idleMs: opts.bodyIdleTimeoutMs,
          });
          if (req.query.wait) {
            const result = await done;
            const refused = await imports.report.outcomeError(result);
            if (refused) throw refused;
            return reply.code(200).send(presentImportJob(result.job));
          }
          // Runs on in this process; the job row records the outcome (the service logs failures).
          done.catch(() => undefined);
          return reply.code(202).send(presentImportJob(job));
        },
      );
    });

    app.get(
      '/api/v1/sims/imports/:id',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'getSimImport',
          summary: 'Get an import job',
          description: 'Its status and counters. Staff only.',
          params: ImportIdParams,
          response: { 200: ImportJobView, ...errors },
        },
      },
      async (req) => presentImportJob(await imports.report.job(principalOf(req), req.params.id)),
    );

    app.get(
      '/api/v1/sims/imports/:id/errors',
      {
        config: { auth: 'read', openapi: { produces: ['application/json', 'text/csv'] } },
        schema: {
          tags,
          operationId: 'listSimImportErrors',
          summary: "Get an import's error report",
          description: 'The refused rows by line: JSON pages, or the whole report as CSV with format=csv.',
          params: ImportIdParams,
          querystring: ImportErrorsQuery,
          response: { 200: ImportErrorPage.or(CsvText), ...errors },
        },
      },
      async (req, reply) => {
        const p = principalOf(req);
        if (req.query.format === 'csv') {
          const csv = await imports.report.errorsCsv(p, req.params.id);
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="import-${req.params.id}-errors.csv"`)
            .send(asText(csv));
        }
        const page = await imports.report.errorPage(p, req.params.id, req.query.offset, req.query.limit);
        return { ...page, offset: req.query.offset, limit: req.query.limit };
      },
    );

    app.get(
      '/api/v1/sims/export',
      {
        config: { auth: 'read', openapi: { produces: ['text/csv'] } },
        schema: {
          tags,
          operationId: 'exportSims',
          summary: 'Export SIMs as CSV',
          description: 'In the import format, streamed. Customers get their own subtree.',
          querystring: ExportQuery,
          response: { 200: CsvText, ...errors },
        },
      },
      async (req, reply) => {
        const csv = await exports.exportCsv(principalOf(req), req.query);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="sims.csv"')
          .send(asText(csv));
      },
    );
  };
}
