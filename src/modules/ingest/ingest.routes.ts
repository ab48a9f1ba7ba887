import { z } from 'zod';
import { AppError, invalid } from '../../platform/errors.ts';
import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { charsetProblem } from '../../platform/http/charset.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { splitBodyBytes } from './contract.ts';
import { IngestErrors as E } from './ingest.errors.ts';
import { presentCredential, presentIngestError, presentIngestResult, presentOrphans } from './ingest.presenter.ts';
import {
  CreateCredentialInput,
  CreatedCredential,
  CredentialIdParams,
  CredentialView,
  IngestErrorList,
  IngestResultView,
  ListErrorsQuery,
  OrphanList,
  OrphansQuery,
} from './ingest.schemas.ts';
import type { IngestService } from './ingest.service.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const tags = ['ingest'];
/** A producer batch may be far larger than an API request; records are still capped one by one (16 KiB). */
const INGEST_BODY_MAX_BYTES = 32 * 1024 * 1024;
const NDJSON = ['application/x-ndjson', 'application/ndjson'];

/** Only whitespace (or nothing): an empty batch is a mistake worth a 400, not an empty 200. */
const isBlank = (b: Buffer) => b.every((c) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09);

export function ingestRoutes(ingest: IngestService) {
  return (app: App) => {
    // The producer endpoints read their body as text: NDJSON line numbers, malformed JSON as a per-line
    // rejection (not a 400 for the whole batch) and the per-record size cap all need the raw text.
    app.register(async (scope) => {
      // Only the contract's two framings: a text/plain batch was read as JSON and answered 200 (issue 13).
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(
        ['application/json', ...NDJSON],
        { parseAs: 'buffer', bodyLimit: INGEST_BODY_MAX_BYTES },
        (req, body, done) => {
          const charset = charsetProblem(req.headers['content-type']);
          return charset ? done(charset, undefined) : done(null, body);
        },
      );
      for (const [path, kind] of [
        ['/api/v1/ingest/network-events', 'network'],
        ['/api/v1/ingest/telemetry', 'telemetry'],
      ] as const) {
        scope.post(
          path,
          {
            bodyLimit: INGEST_BODY_MAX_BYTES,
            config: {
              auth: 'ingest',
              openapi: {
                body: {
                  contentTypes: ['application/x-ndjson', 'application/json'],
                  description:
                    kind === 'network'
                      ? 'Network events (contract ingest-v1): NDJSON, one object a line, or a JSON array'
                      : 'Device telemetry (contract ingest-v1): NDJSON, one object a line, or a JSON array',
                },
              },
            },
            schema: {
              tags,
              operationId: kind === 'network' ? 'ingestNetworkEvents' : 'ingestTelemetry',
              summary: kind === 'network' ? 'Ingest network events' : 'Ingest device telemetry',
              description: 'Answers after the accepted records are durably stored.',
              response: { 200: IngestResultView, ...errors, 413: ErrorBody, 415: ErrorBody, 503: ErrorBody },
            },
          },
          async (req) => {
            const p = principalOf(req);
            const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
            if (!/[^\s]/.test(bytes.toString('latin1', 0, Math.min(bytes.length, 4096))) && isBlank(bytes))
              throw invalid(E.emptyBody, 'Send the records as the request body (NDJSON or a JSON array)', [
                { field: 'body', value: '', reason: 'empty' },
              ]);
            const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
            const lines = splitBodyBytes(bytes, NDJSON.includes(type) ? 'ndjson' : 'json');
            const source = { transport: 'http' as const, credentialId: p.ingestCredentialId ?? null };
            try {
              const result =
                kind === 'network'
                  ? await ingest.acceptNetwork(lines, source)
                  : await ingest.acceptTelemetry(lines, source);
              return presentIngestResult(result, bytes.length);
            } catch (e) {
              req.log.error({ err: e }, 'ingest write failed');
              throw new AppError('unavailable', E.writeFailed, 'The records could not be stored; send them again', [
                { field: 'body', reason: 'not stored (nothing of this request was acknowledged)' },
              ]);
            }
          },
        );
      }
    });

    app.get(
      '/api/v1/ingest/errors',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listIngestErrors',
          summary: 'List refused ingest records',
          description: 'From both transports, newest first, with the reason, field and value.',
          querystring: ListErrorsQuery,
          response: { 200: IngestErrorList, ...errors },
        },
      },
      async (req) => {
        const page = await ingest.listErrors(principalOf(req), req.query);
        return { items: page.items.map(presentIngestError), nextCursor: page.nextCursor, counts: page.counts };
      },
    );

    app.get(
      '/api/v1/ingest/orphans',
      {
        config: { auth: 'read' },
        schema: {
          tags,
          operationId: 'listIngestOrphans',
          summary: 'List orphan ingest records',
          description:
            'Stored records for ICCIDs / deviceIds iotops does not know yet; adopted when the SIM is imported or the device registered.',
          querystring: OrphansQuery,
          response: { 200: OrphanList, ...errors },
        },
      },
      async (req) => {
        return presentOrphans(await ingest.listOrphans(principalOf(req), req.query.limit));
      },
    );

    app.get(
      '/api/v1/ingest/credentials',
      {
        config: { auth: 'admin' },
        schema: {
          tags,
          operationId: 'listIngestCredentials',
          summary: 'List producer credentials',
          description: 'Admin only.',
          response: { 200: z.array(CredentialView), ...errors },
        },
      },
      async () => (await ingest.listCredentials()).map(presentCredential),
    );
    app.post(
      '/api/v1/ingest/credentials',
      {
        config: { auth: 'admin' },
        schema: {
          tags,
          operationId: 'createIngestCredential',
          summary: 'Create a producer credential',
          description: 'Admin only. An MQTT username + password, or an HTTP Bearer secret; the secret is shown once.',
          body: CreateCredentialInput,
          response: { 201: CreatedCredential, ...errors },
        },
      },
      async (req, reply) => {
        const { credential, secret } = await ingest.createCredential(principalOf(req), req.body);
        return reply.code(201).send({ credential: presentCredential(credential), secret });
      },
    );
    app.delete(
      '/api/v1/ingest/credentials/:id',
      {
        config: { auth: 'admin' },
        schema: {
          tags,
          operationId: 'revokeIngestCredential',
          summary: 'Revoke a producer credential',
          description: 'Admin only.',
          params: CredentialIdParams,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await ingest.revokeCredential(req.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
