/**
 * The outbox: a job enqueued with the caller's database handle (typically a transaction), so it exists if and
 * only if the change that caused it commits. The job queue (queue.ts) then dispatches it after commit, with
 * retries; handlers are idempotent.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Db, RawTx } from '../db/client.ts';

export type OutboxOptions = {
  runAt?: Date;
  /**
   * With `perTransaction`, the key is suffixed with the transaction id: many changes to one thing in one
   * transaction make one job, and every later transaction gets its own (a key stays taken for a job's life).
   */
  dedupeKey?: string;
  perTransaction?: boolean;
  maxAttempts?: number;
};

export async function enqueueIn(db: Db, kind: string, payload: unknown, opts: OutboxOptions = {}): Promise<void> {
  const key: SQL | null =
    opts.dedupeKey === undefined
      ? null
      : opts.perTransaction
        ? sql`${`${opts.dedupeKey}:`} || txid_current()::text`
        : sql`${opts.dedupeKey}`;
  await db.execute(
    sql`insert into jobs (kind, payload, run_at, max_attempts, dedupe_key)
        values (${kind}, ${JSON.stringify(payload ?? null)}::jsonb,
                ${(opts.runAt ?? new Date()).toISOString()}::timestamptz, ${opts.maxAttempts ?? 5}, ${key})
        on conflict (dedupe_key) where dedupe_key is not null do nothing`,
  );
}

/**
 * One job per id, set-based (a batch of changed rows): payload `{ [field]: id }`, deduped per id and transaction
 * under the key `<kind>:<id>:<txid>`, exactly like `enqueueIn(..., { dedupeKey: `${kind}:${id}`, perTransaction })`.
 */
export async function enqueueEachIn(db: Db, kind: string, field: string, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.execute(
    sql`insert into jobs (kind, payload, dedupe_key)
        select ${kind}, jsonb_build_object(${field}::text, v.id), ${`${kind}:`} || v.id::text || ':' || txid_current()::text
          from unnest(string_to_array(${ids.join(',')}, ',')::bigint[]) as v(id)
        on conflict (dedupe_key) where dedupe_key is not null do nothing`,
  );
}

/** `enqueueIn` for raw-SQL transactions (the bulk paths that run on RawTx, e.g. the SIM import). */
export async function enqueueInRaw(tx: RawTx, kind: string, payload: unknown, dedupeKey: string): Promise<void> {
  await tx.query(
    `insert into jobs (kind, payload, dedupe_key) values ($1, $2::jsonb, $3)
     on conflict (dedupe_key) where dedupe_key is not null do nothing`,
    [kind, JSON.stringify(payload ?? null), dedupeKey],
  );
}
