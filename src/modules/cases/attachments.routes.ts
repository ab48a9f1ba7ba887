import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import {
  AttachmentParams,
  AttachmentUploadParams,
  AttachmentView,
  UploadAttachmentQuery,
} from './attachments.schemas.ts';
import { type AttachmentsService, mediaTypeOf, tooLarge } from './attachments.service.ts';
import { contentDisposition, presentAttachment } from './case-parties.presenter.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const tags = ['cases'];
/** The download answers the stored bytes; the schema documents them as text (Fastify never serializes a Buffer). */
const FileBytes = z.string().describe("The file's bytes, with its stored content type");

/** Reads the whole body into memory, refusing it (413) as soon as it passes `max` bytes, declared or read. */
async function readCapped(req: FastifyRequest, payload: IncomingMessage, max: number) {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) throw tooLarge(declared, max);
  const chunks: Buffer[] = [];
  let seen = 0;
  // Not `for await (… of payload)`: leaving that loop destroys the request, and with it the socket, so the 413
  // would never reach the client; the rest of the body is read and dropped after the answer (app.ts, onSend).
  for await (const chunk of payload.iterator({ destroyOnReturn: false })) {
    seen += (chunk as Buffer).length;
    if (seen > max) throw tooLarge(seen, max);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function attachmentsRoutes(attachments: AttachmentsService, opts: { maxBytes: number }) {
  return (app: App) => {
    app.register(async (scope: App) => {
      // Any content type is a file here, JSON and text included: in this scope only, every body arrives as bytes.
      scope.removeAllContentTypeParsers();
      // Fastify answers a malformed content-type with a bare 415 before any parser runs; this names it instead.
      scope.addHook('onRequest', async (req) => {
        if (req.headers['content-type'] !== undefined) mediaTypeOf(req.headers['content-type']);
      });
      scope.addContentTypeParser('*', (req: FastifyRequest, payload: IncomingMessage) =>
        readCapped(req, payload, opts.maxBytes),
      );

      scope.post(
        '/api/v1/cases/:number/events/:eventId/attachments',
        {
          config: {
            auth: 'write',
            openapi: {
              body: {
                contentTypes: ['*/*'],
                description:
                  'The file itself as the raw body; its content-type is stored and answered on download ' +
                  `(default application/octet-stream). At most ATTACHMENT_MAX_BYTES (${opts.maxBytes}) bytes`,
              },
            },
          },
          schema: {
            tags,
            operationId: 'addCaseAttachment',
            summary: 'Attach a file to a timeline entry',
            description: 'Customers attach files to their own public portal messages only.',
            params: AttachmentUploadParams,
            querystring: UploadAttachmentQuery,
            response: { 201: AttachmentView, 413: ErrorBody, ...errors },
          },
        },
        async (req, reply) => {
          const { number, eventId } = req.params;
          const a = await attachments.add(principalOf(req), number, eventId, {
            filename: req.query.filename,
            contentType: req.headers['content-type'],
            bytes: Buffer.isBuffer(req.body) ? req.body : undefined,
          });
          return reply.code(201).send(presentAttachment(a));
        },
      );
    });

    app.get(
      '/api/v1/cases/:number/attachments/:id',
      {
        config: { auth: 'read', openapi: { produces: ['*/*'] } },
        schema: {
          tags,
          operationId: 'downloadCaseAttachment',
          summary: 'Download an attachment',
          description:
            'Customers download those on public entries of their cases. Answers the stored bytes with the stored ' +
            'content type, Content-Disposition: attachment, X-Content-Type-Options: nosniff and X-Attachment-Sha256.',
          params: AttachmentParams,
          response: { 200: FileBytes, ...errors },
        },
      },
      async (req, reply) => {
        const a = await attachments.download(principalOf(req), req.params.number, req.params.id);
        // The type is the uploader's claim: never let a browser sniff or render it in the desk's origin.
        return reply
          .type(a.contentType)
          .header('content-disposition', contentDisposition(a.filename))
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('x-attachment-sha256', a.sha256)
          .send(a.content as unknown as string);
      },
    );
  };
}
