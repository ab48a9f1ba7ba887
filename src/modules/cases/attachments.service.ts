import { createHash } from 'node:crypto';
import { isStaff, type Principal } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { AppError, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { type AttachmentMeta, type AttachmentRow, attachmentsRepo } from './attachments.repo.ts';
import { CasesErrors as E } from './cases.errors.ts';
import type { CaseEventRow } from './cases.repo.ts';
import type { CasesService } from './cases.service.ts';

/**
 * Files on timeline entries. Staff attach to any entry of a case; a customer only to its own public portal
 * messages, and downloads only what hangs on public entries of cases it reaches (another tenant's case is 404).
 */
export type AttachmentsService = ReturnType<typeof createAttachmentsService>;
export type { AttachmentMeta };
export type TimelineEntry = CaseEventRow & { attachments: AttachmentMeta[] };

export type Upload = { filename: string; contentType: string | undefined; bytes: Buffer | undefined };

const TOKEN = "[A-Za-z0-9!#$&^_.+'*`|~-]+";
/** type/subtype with optional parameters, as RFC 9110 has it; it is echoed back on download. */
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=(${TOKEN}|"[^"\\\\\\x00-\\x1f\\x7f]*"))*$`);

/** The upload's content-type header, checked (it is echoed back on download); none = application/octet-stream. */
export function mediaTypeOf(header: string | undefined): string {
  const contentType = (header ?? '').trim() || 'application/octet-stream';
  if (contentType.length > 255 || !MEDIA_TYPE.test(contentType)) {
    throw invalid(E.attachmentContentTypeInvalid, `Not a media type: ${contentType.slice(0, 100)}`, [
      { field: 'content-type', value: contentType.slice(0, 255), reason: 'must be type/subtype[; param=value]' },
    ]);
  }
  return contentType;
}

export function tooLarge(size: number, max: number): AppError {
  return new AppError('too_large', E.attachmentTooLarge, `The attachment is larger than ${max} bytes`, [
    { field: 'body', value: size, reason: `limit is ${max} bytes (ATTACHMENT_MAX_BYTES)` },
  ]);
}

export function createAttachmentsService(
  ctx: Pick<Ctx, 'database'>,
  deps: { cases: Pick<CasesService, 'get' | 'events'>; maxBytes: number },
) {
  const repo = attachmentsRepo(ctx.database.db);

  function checkUpload(u: Upload): { contentType: string; bytes: Buffer } {
    if (!u.bytes || u.bytes.length === 0) {
      throw invalid(E.attachmentEmpty, 'Send the file as the request body', [
        { field: 'body', value: 0, reason: 'empty' },
      ]);
    }
    if (u.bytes.length > deps.maxBytes) throw tooLarge(u.bytes.length, deps.maxBytes);
    return { contentType: mediaTypeOf(u.contentType), bytes: u.bytes };
  }

  return {
    async add(p: Principal, number: string, eventId: number, upload: Upload): Promise<AttachmentMeta> {
      const c = await deps.cases.get(p, number);
      const event = await repo.event(c.id, eventId);
      // Customers never learn of internal entries: one they may not see answers like a missing one.
      if (!event || (!isStaff(p) && event.visibility !== 'public')) {
        throw notFound(E.eventNotFound, `Timeline entry ${eventId} not found on case ${number}`, [
          { field: 'eventId', value: eventId, reason: 'not found' },
        ]);
      }
      if (!isStaff(p) && (event.kind !== 'portal_message' || event.authorUserId !== p.userId)) {
        throw forbidden(E.attachmentForbidden, 'Customers attach files to their own portal messages only', [
          { field: 'eventId', value: eventId, reason: 'not your portal message' },
        ]);
      }
      const { contentType, bytes } = checkUpload(upload);
      return repo.insert({
        tenantId: c.tenantId,
        caseId: c.id,
        eventId: event.id,
        filename: upload.filename,
        contentType,
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        content: bytes,
        createdBy: p.userId > 0 ? p.userId : null,
      });
    },

    async download(p: Principal, number: string, id: number): Promise<AttachmentRow> {
      const c = await deps.cases.get(p, number);
      const row = await repo.withContent(c.id, id);
      if (!row || (!isStaff(p) && row.visibility !== 'public')) {
        throw notFound(E.attachmentNotFound, `Attachment ${id} not found on case ${number}`, [
          { field: 'id', value: id, reason: 'not found' },
        ]);
      }
      return row.attachment;
    },

    /** The case's timeline as the caller may see it, each entry with its attachments' metadata. */
    async timeline(p: Principal, number: string): Promise<TimelineEntry[]> {
      const events = await deps.cases.events(p, number);
      const byEvent = new Map<number, AttachmentMeta[]>();
      for (const a of await repo.ofEvents(events.map((e) => e.id))) {
        byEvent.set(a.eventId, [...(byEvent.get(a.eventId) ?? []), a]);
      }
      return events.map((e) => ({ ...e, attachments: byEvent.get(e.id) ?? [] }));
    },
  };
}
