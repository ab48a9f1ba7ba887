import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgTable, text, timestamptz, uniqueIndex } from '../../platform/db/columns.ts';

/**
 * The customer is a tree: enterprise (root, = tenant) → sub-accounts (any depth) → end consumers.
 * `path` is the materialised chain of ids ('/1/5/9/') so a subtree is one prefix match.
 */
export const accounts = pgTable(
  'accounts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    parentId: bigint('parent_id', { mode: 'number' }),
    path: text('path').notNull(),
    depth: integer('depth').notNull(),
    number: text('number').notNull(),
    name: text('name').notNull(),
    kind: text('kind').notNull(), // enterprise | sub_account | end_consumer
    vipTier: text('vip_tier').notNull().default('standard'),
    language: text('language').notNull().default('en'),
    timeZone: text('time_zone').notNull().default('UTC'),
    country: text('country').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('accounts_number_uq').on(t.number),
    index('accounts_tenant_idx').on(t.tenantId),
    index('accounts_parent_idx').on(t.parentId),
    index('accounts_path_idx').on(sql`${t.path} text_pattern_ops`),
  ],
);

export const contacts = pgTable(
  'contacts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    accountId: bigint('account_id', { mode: 'number' })
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    email: text('email'),
    phone: text('phone'),
    language: text('language').notNull().default('en'),
    roles: text('roles').array().notNull().default(sql`'{}'::text[]`),
    /**
     * When mail to `email` bounced for good (a hard bounce): the desk sends it nothing more until the address is
     * changed (changing it clears this). Set by the mail desk through the accounts service.
     */
    emailBouncedAt: timestamptz('email_bounced_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('contacts_account_idx').on(t.accountId),
    index('contacts_tenant_idx').on(t.tenantId),
    // An inbound mail's sender is looked up by address, whatever its case (mail threading).
    index('contacts_email_idx').on(sql`lower(${t.email})`),
  ],
);
