/**
 * How a producer announces a domain event: inside the transaction of the change (the `db` handle it writes with),
 * so the event exists if and only if the change commits. Nothing runs here; the dispatcher fans the event out to
 * its subscribers after commit (dispatcher.ts).
 */
import { type SQL, sql } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { z } from 'zod';
import type { Db, RawTx } from '../db/client.ts';
import type { EventDef } from './define.ts';

export type EmitOptions = {
  /** What ordered subscribers keep in order: `case:<id>`, `sim:<iccid>`. */
  orderingKey?: string;
  /**
   * One event per key: a second emit with the same key is dropped. With `perTransaction`, the key holds within
   * one transaction only (many changes to a case in one transaction announce it once; every later one again).
   */
  dedupeKey?: string;
  perTransaction?: boolean;
};

function checked<S extends z.ZodType>(def: EventDef<S>, payload: z.input<S>): z.output<S> {
  const parsed = def.payload.safeParse(payload);
  // A producer's own bug: its payload is its declaration's, or nothing is written.
  if (!parsed.success) throw new Error(`event ${def.name}: payload does not match its declaration: ${parsed.error}`);
  return parsed.data;
}

const dedupe = (opts: EmitOptions): SQL | null =>
  opts.dedupeKey === undefined
    ? null
    : opts.perTransaction
      ? sql`${`${opts.dedupeKey}:`} || txid_current()::text`
      : sql`${opts.dedupeKey}`;

/**
 * The per-transaction keys already written on each open transaction: a second emit of one would insert nothing (on
 * conflict), so it is not sent at all (a burst of mails landing on one case announces the case once, in one
 * statement instead of one per mail). Keyed by the transaction handle, so a savepoint's handle has its own.
 */
const writtenIn = new WeakMap<object, Set<string>>();

/** Is this the first write of per-transaction key `key` on `db`'s open transaction (and is it now written)? */
function firstInTransaction(db: Db, key: string): boolean {
  if (!(db instanceof PgTransaction)) return true;
  const written = writtenIn.get(db) ?? new Set<string>();
  writtenIn.set(db, written);
  if (written.has(key)) return false;
  written.add(key);
  return true;
}

export async function emit<S extends z.ZodType>(
  db: Db,
  def: EventDef<S>,
  payload: z.input<S>,
  opts: EmitOptions = {},
): Promise<void> {
  const data = checked(def, payload);
  if (opts.perTransaction && opts.dedupeKey !== undefined && !firstInTransaction(db, opts.dedupeKey)) return;
  await db.execute(
    sql`insert into domain_events (name, version, payload, ordering_key, dedupe_key)
        values (${def.name}, ${def.version}, ${JSON.stringify(data)}::jsonb, ${opts.orderingKey ?? null}, ${dedupe(opts)})
        on conflict (dedupe_key) where dedupe_key is not null do nothing`,
  );
}

/**
 * One event per id, set-based (a batch of changed rows): payload `{ [field]: id }`, ordering key `<prefix>:<id>`,
 * one per id and transaction (like `emit(…, { dedupeKey: `${name}:${id}`, perTransaction: true })`).
 */
export async function emitEach(
  db: Db,
  def: EventDef<z.ZodType>,
  field: string,
  ids: readonly number[],
  orderingPrefix: string,
): Promise<void> {
  if (ids.length === 0) return;
  checked(def, { [field]: ids[0] });
  await db.execute(
    sql`insert into domain_events (name, version, payload, ordering_key, dedupe_key)
        select ${def.name}, ${def.version}, jsonb_build_object(${field}::text, v.id),
               ${`${orderingPrefix}:`} || v.id::text, ${`${def.name}:`} || v.id::text || ':' || txid_current()::text
          from unnest(string_to_array(${ids.join(',')}, ',')::bigint[]) as v(id)
        on conflict (dedupe_key) where dedupe_key is not null do nothing`,
  );
}

/** `emit` for raw-SQL transactions (the bulk paths on RawTx, e.g. the SIM import). */
export async function emitRaw<S extends z.ZodType>(
  tx: RawTx,
  def: EventDef<S>,
  payload: z.input<S>,
  opts: Omit<EmitOptions, 'perTransaction'> = {},
): Promise<void> {
  const data = checked(def, payload);
  await tx.query(
    `insert into domain_events (name, version, payload, ordering_key, dedupe_key) values ($1, $2, $3::jsonb, $4, $5)
     on conflict (dedupe_key) where dedupe_key is not null do nothing`,
    [def.name, def.version, JSON.stringify(data), opts.orderingKey ?? null, opts.dedupeKey ?? null],
  );
}

/**
 * Several events of one kind in one statement, each with its own payload, ordering key and dedupe key (a batch of
 * stored rows, e.g. inbound mails stored together): what as many `emit` calls would write, in one round trip and in
 * the order given (identity values follow it). With `perTransaction`, every item's dedupe key holds within this
 * transaction only, as `emit`'s does (and a key one of them already wrote in it is not sent again).
 */
export async function emitMany<S extends z.ZodType>(
  db: Db,
  def: EventDef<S>,
  items: readonly { payload: z.input<S>; orderingKey?: string; dedupeKey?: string }[],
  opts: { perTransaction?: boolean } = {},
): Promise<void> {
  const todo = opts.perTransaction
    ? items.filter((i) => i.dedupeKey === undefined || firstInTransaction(db, i.dedupeKey))
    : items;
  if (todo.length === 0) return;
  const rows = todo.map((i) => ({
    payload: checked(def, i.payload),
    orderingKey: i.orderingKey,
    dedupeKey: i.dedupeKey,
  }));
  const key = opts.perTransaction
    ? sql`(e.value ->> 'dedupeKey') || ':' || txid_current()::text`
    : sql`e.value ->> 'dedupeKey'`;
  await db.execute(
    sql`insert into domain_events (name, version, payload, ordering_key, dedupe_key)
        select ${def.name}, ${def.version}, e.value -> 'payload', e.value ->> 'orderingKey', ${key}
          from jsonb_array_elements(${JSON.stringify(rows)}::jsonb) with ordinality as e(value, n)
         order by e.n
        on conflict (dedupe_key) where dedupe_key is not null do nothing`,
  );
}

/** `emitMany` for raw-SQL transactions: several events of one kind in one statement, in the order given. */
export async function emitRawMany<S extends z.ZodType>(
  tx: RawTx,
  def: EventDef<S>,
  items: readonly { payload: z.input<S>; orderingKey?: string }[],
): Promise<void> {
  if (items.length === 0) return;
  const rows = items.map((i) => ({ payload: checked(def, i.payload), orderingKey: i.orderingKey ?? null }));
  await tx.query(
    `insert into domain_events (name, version, payload, ordering_key)
     select $1, $2, e.value -> 'payload', e.value ->> 'orderingKey'
       from jsonb_array_elements($3::jsonb) with ordinality as e(value, n)
      order by e.n`,
    [def.name, def.version, JSON.stringify(rows)],
  );
}
