import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, text, timestamptz } from '../../platform/db/columns.ts';

/**
 * The durable log of network actions on SIMs (issue 5): who asked, for which SIM, what (kind + params), why, and
 * what came of it. A row is written as `requested` in the same transaction as its outbox job, so an accepted
 * action is never lost; the worker moves it to `applied` or `failed` (with the reason) exactly once.
 * No foreign keys, like `sims`: SIMs are never hard-deleted and the log must outlive any reshuffle.
 */
export const networkActions = pgTable(
  'network_actions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    simId: bigint('sim_id', { mode: 'number' }).notNull(),
    /** The ICCID body (19 digits) as `sims` stores it. */
    iccid: text('iccid').notNull(),
    kind: text('kind').notNull(), // connectivity_reset | change_state | change_plan | send_config_sms
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    /** Free text: why (a customer's words, an agent's note). */
    reason: text('reason'),
    /** What prompted it, e.g. `case:C-2026-000123` or `diagnosis:data_session.apn_typo`. */
    reference: text('reference'),
    /**
     * The case it was run for, if any: its timeline gets an entry when the action is requested and when it ends.
     * The id to write there (through the cases service), the number to show; a case's number never changes.
     */
    caseId: bigint('case_id', { mode: 'number' }),
    caseNumber: text('case_number'),
    requestedByUserId: bigint('requested_by_user_id', { mode: 'number' }),
    requestedBy: text('requested_by').notNull(),
    requestedVia: text('requested_via').notNull(), // session | token | cli
    /** The adapter configured when it was asked (NETWORK_ADAPTER), then the one that ran it. */
    adapter: text('adapter').notNull(),
    status: text('status').notNull().default('requested'), // requested | applied | failed
    /** One line for people: what was done, or why it failed (naming field and value where there is one). */
    outcome: text('outcome'),
    /** Each step (SIM service, adapter operations) with its own answer. */
    result: jsonb('result').$type<Record<string, unknown>>(),
    requestedAt: timestamptz('requested_at').notNull().defaultNow(),
    finishedAt: timestamptz('finished_at'),
  },
  (t) => [
    index('network_actions_sim_idx').on(t.simId, t.id),
    index('network_actions_open_idx').on(t.id).where(sql`${t.status} = 'requested'`),
  ],
);

/**
 * What the simulated adapter sent to the simulated network, in order: the feed a simulator in another process
 * polls (GET /api/v1/network/simulated-commands). In-process simulators get the same commands on the bus.
 */
export const simulatedNetworkCommands = pgTable('simulated_network_commands', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  actionId: bigint('action_id', { mode: 'number' }).notNull(),
  /** 20 digits with the Luhn digit: the simulator's fleet is keyed so. */
  iccid: text('iccid').notNull(),
  command: jsonb('command').$type<Record<string, unknown>>().notNull(),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});
