import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { caseContacts, caseProviderRefs } from './cases.tables.ts';

export type ProviderRefRow = typeof caseProviderRefs.$inferSelect;

/** The people and partners on a case: its contacts (ids into the accounts module) and provider references. */
export function casePartiesRepo(db: Db) {
  return {
    async contactIds(caseId: number): Promise<number[]> {
      const rows = await db
        .select({ id: caseContacts.contactId })
        .from(caseContacts)
        .where(eq(caseContacts.caseId, caseId))
        .orderBy(asc(caseContacts.contactId));
      return rows.map((r) => r.id);
    },
    /** Adds the contacts not on the case yet; answers the ids actually added. */
    async addContacts(caseId: number, tenantId: number, contactIds: readonly number[]): Promise<number[]> {
      if (contactIds.length === 0) return [];
      const rows = await db
        .insert(caseContacts)
        .values(contactIds.map((contactId) => ({ caseId, tenantId, contactId })))
        .onConflictDoNothing()
        .returning({ id: caseContacts.contactId });
      return rows.map((r) => r.id);
    },
    async removeContact(caseId: number, contactId: number): Promise<boolean> {
      const rows = await db
        .delete(caseContacts)
        .where(and(eq(caseContacts.caseId, caseId), eq(caseContacts.contactId, contactId)))
        .returning({ id: caseContacts.contactId });
      return rows.length > 0;
    },
    async providerRefs(caseId: number): Promise<ProviderRefRow[]> {
      return db
        .select()
        .from(caseProviderRefs)
        .where(eq(caseProviderRefs.caseId, caseId))
        .orderBy(asc(caseProviderRefs.id));
    },
    async insertProviderRef(values: typeof caseProviderRefs.$inferInsert): Promise<ProviderRefRow> {
      const [row] = await db.insert(caseProviderRefs).values(values).returning();
      return row!;
    },
    async removeProviderRef(caseId: number, id: number): Promise<ProviderRefRow | undefined> {
      const [row] = await db
        .delete(caseProviderRefs)
        .where(and(eq(caseProviderRefs.caseId, caseId), eq(caseProviderRefs.id, id)))
        .returning();
      return row;
    },
  };
}
