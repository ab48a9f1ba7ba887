import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { caseAttachments } from './attachments.tables.ts';
import { caseEvents } from './cases.tables.ts';

export type AttachmentRow = typeof caseAttachments.$inferSelect;
export type AttachmentMeta = Omit<AttachmentRow, 'content'>;

/** Everything but the bytes: metadata reads never load the files. */
const meta = {
  id: caseAttachments.id,
  tenantId: caseAttachments.tenantId,
  caseId: caseAttachments.caseId,
  eventId: caseAttachments.eventId,
  filename: caseAttachments.filename,
  contentType: caseAttachments.contentType,
  size: caseAttachments.size,
  sha256: caseAttachments.sha256,
  createdBy: caseAttachments.createdBy,
  createdAt: caseAttachments.createdAt,
};

export function attachmentsRepo(db: Db) {
  return {
    async event(caseId: number, eventId: number) {
      const [row] = await db
        .select()
        .from(caseEvents)
        .where(and(eq(caseEvents.caseId, caseId), eq(caseEvents.id, eventId)));
      return row;
    },
    async insert(values: typeof caseAttachments.$inferInsert): Promise<AttachmentMeta> {
      const [row] = await db.insert(caseAttachments).values(values).returning(meta);
      return row!;
    },
    async ofEvents(eventIds: readonly number[]): Promise<AttachmentMeta[]> {
      if (eventIds.length === 0) return [];
      return db
        .select(meta)
        .from(caseAttachments)
        .where(inArray(caseAttachments.eventId, [...eventIds]))
        .orderBy(asc(caseAttachments.id));
    },
    /** One attachment of the case with its bytes and the visibility of the entry it belongs to. */
    async withContent(caseId: number, id: number) {
      const [row] = await db
        .select({ attachment: caseAttachments, visibility: caseEvents.visibility })
        .from(caseAttachments)
        .innerJoin(caseEvents, eq(caseEvents.id, caseAttachments.eventId))
        .where(and(eq(caseAttachments.caseId, caseId), eq(caseAttachments.id, id)));
      return row;
    },
  };
}
