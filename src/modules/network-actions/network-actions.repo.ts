import { and, desc, eq, gt, lt, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client.ts';
import { networkActions, simulatedNetworkCommands } from './network-actions.tables.ts';

export type ActionRow = typeof networkActions.$inferSelect;
export type CommandRow = typeof simulatedNetworkCommands.$inferSelect;

export function networkActionsRepo(db: Db) {
  return {
    async insert(values: typeof networkActions.$inferInsert): Promise<ActionRow> {
      const [row] = await db.insert(networkActions).values(values).returning();
      return row!;
    },

    async byId(id: number): Promise<ActionRow | undefined> {
      const [row] = await db.select().from(networkActions).where(eq(networkActions.id, id));
      return row;
    },

    /** One SIM's actions, newest first; `tenantId` hides rows written while the SIM belonged to someone else. */
    async listForSim(simId: number, f: { tenantId?: number; beforeId?: number }, limit: number) {
      return db
        .select()
        .from(networkActions)
        .where(
          and(
            eq(networkActions.simId, simId),
            f.tenantId === undefined ? undefined : eq(networkActions.tenantId, f.tenantId),
            f.beforeId === undefined ? undefined : lt(networkActions.id, f.beforeId),
          ),
        )
        .orderBy(desc(networkActions.id))
        .limit(limit);
    },

    /** requested → applied | failed, once: a job run again after its outcome was written changes nothing. */
    async finish(
      id: number,
      v: { status: 'applied' | 'failed'; adapter: string; outcome: string; result: Record<string, unknown> },
    ): Promise<ActionRow | undefined> {
      const [row] = await db
        .update(networkActions)
        .set({ ...v, finishedAt: sql`now()` })
        .where(and(eq(networkActions.id, id), eq(networkActions.status, 'requested')))
        .returning();
      return row;
    },

    async insertCommand(values: typeof simulatedNetworkCommands.$inferInsert): Promise<CommandRow> {
      const [row] = await db.insert(simulatedNetworkCommands).values(values).returning();
      return row!;
    },

    async commandsAfter(after: number, limit: number): Promise<CommandRow[]> {
      return db
        .select()
        .from(simulatedNetworkCommands)
        .where(gt(simulatedNetworkCommands.id, after))
        .orderBy(simulatedNetworkCommands.id)
        .limit(limit);
    },

    async lastCommandId(): Promise<number> {
      const [row] = await db
        .select({ id: sql<string | null>`max(${simulatedNetworkCommands.id})::text` })
        .from(simulatedNetworkCommands);
      return Number(row?.id ?? 0);
    },
  };
}
