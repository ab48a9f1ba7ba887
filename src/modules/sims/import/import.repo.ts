/**
 * SQL of the SIM bulk import (raw SQL on purpose: COPY, temp tables and set-based checks have no Drizzle form).
 * The staging table is a temp table dropped at commit, so a killed import leaves nothing behind.
 * `sim_id` is drawn from the sims identity sequence while COPY fills the stage, so IMSIs can be inserted with
 * a plain join on the stage instead of returning a million ids to the client.
 */
import type { Database, RawTx } from '../../../platform/db/client.ts';
import type { RowError, SimRow } from './csv-row.ts';
import type { MovedSim } from './import-moves.ts';

export type ImportJobRow = {
  id: number;
  status: 'running' | 'succeeded' | 'failed';
  mode: 'atomic' | 'skip-invalid';
  upsert: boolean;
  source: 'cli' | 'api';
  filename: string | null;
  createdByUserId: number | null;
  rowsRead: number;
  rowsImported: number;
  rowsUpdated: number;
  rowsRejected: number;
  message: string | null;
  startedAt: Date;
  finishedAt: Date | null;
};

export type Counters = Pick<ImportJobRow, 'rowsRead' | 'rowsImported' | 'rowsUpdated' | 'rowsRejected'>;

const JOB_COLUMNS = `id::int AS "id", status, mode, upsert, source, filename,
  created_by_user_id::int AS "createdByUserId", rows_read AS "rowsRead", rows_imported AS "rowsImported",
  rows_updated AS "rowsUpdated", rows_rejected AS "rowsRejected", message,
  started_at AS "startedAt", finished_at AS "finishedAt"`;

const STAGE = 'sim_import_stage';
const CHUNK_TABLE = 'sim_import_chunk';

const insertSims = (
  from: string,
  and: string,
) => `INSERT INTO sims (id, tenant_id, account_id, iccid, msisdn, imei, eid,
    communication_plan_id, rate_plan_id, state, labels, custom_fields, import_id)
  SELECT sim_id, tenant_id, account_id, iccid, msisdn, imei, eid, communication_plan_id, rate_plan_id,
    coalesce(state, 'INVENTORY'), CASE WHEN label IS NULL THEN '{}'::text[] ELSE ARRAY[label] END,
    coalesce(custom, '{}'::jsonb), $1
  FROM ${from} WHERE existing_id IS NULL ${and}`;

const insertImsis = (
  from: string,
  and: string,
) => `INSERT INTO sim_imsis (imsi, sim_id, tenant_id, position, is_current)
  SELECT u.imsi, s.sim_id, s.tenant_id, (u.ord - 1)::smallint, u.ord = 1
  FROM ${from} s CROSS JOIN LATERAL unnest(s.imsis) WITH ORDINALITY AS u(imsi, ord)
  WHERE s.imsis IS NOT NULL AND s.existing_id IS NULL ${and}`;
const STAGE_COLUMNS =
  'line, iccid, iccid_raw, imsis, msisdn, imei, eid, account_id, tenant_id, communication_plan_id, rate_plan_id, state, label, custom';

/** One CSV field for COPY … (FORMAT csv): null is an unquoted empty field; quote anything that needs it. */
function csvField(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  if (v === '' || /[",\r\n\\]/.test(v) || v.trim() !== v) return `"${v.replaceAll('"', '""')}"`;
  return v;
}

export function stageCsv(rows: readonly SimRow[]): string {
  let out = '';
  for (const r of rows) {
    out += `${r.line},${r.iccid},${r.iccidRaw},${r.imsis ? `"{${r.imsis.join(',')}}"` : ''},${r.msisdn ?? ''},${
      r.imei ?? ''
    },${r.eid ?? ''},${r.accountId},${r.tenantId},${r.communicationPlanId ?? ''},${r.ratePlanId ?? ''},${
      r.state ?? ''
    },${csvField(r.label)},${r.custom ? csvField(JSON.stringify(r.custom)) : ''}\n`;
  }
  return out;
}

function errorsCsv(importId: number, errors: readonly RowError[]): string {
  let out = '';
  for (const e of errors)
    out += `${importId},${e.line},${csvField(e.field)},${csvField(e.value)},${csvField(e.reason)}\n`;
  return out;
}

/** First key of the advisory lock a running import's transaction holds on its job id (free = its process died). */
export const IMPORT_LOCK_CLASS = 0x51a1;

/**
 * Errors of lines refused as read (bad cells, unknown account…) listed per import: past this many they are counted
 * (rowsRejected) but not stored, so a file of a million bad lines does not write a million error rows (outside
 * probe round 5). Errors of staged lines (duplicates, moves) are all stored: they decide which lines are dropped.
 */
export const MAX_LISTED_READ_ERRORS = 10_000;

/** Job rows: short statements on the shared connection (never inside the import transaction). */
export function importJobsRepo(database: Database) {
  return {
    async create(v: Pick<ImportJobRow, 'mode' | 'upsert' | 'source' | 'filename' | 'createdByUserId'>) {
      const [row] = await database.query<ImportJobRow>(
        `INSERT INTO sim_imports (status, mode, upsert, source, filename, created_by_user_id)
         VALUES ('running', $1, $2, $3, $4, $5) RETURNING ${JOB_COLUMNS}`,
        [v.mode, v.upsert, v.source, v.filename, v.createdByUserId],
      );
      return row!;
    },
    async byId(id: number): Promise<ImportJobRow | undefined> {
      const [row] = await database.query<ImportJobRow>(`SELECT ${JOB_COLUMNS} FROM sim_imports WHERE id = $1`, [id]);
      return row;
    },
    async progress(id: number, c: Counters) {
      await database.query('UPDATE sim_imports SET rows_read = $2, rows_rejected = $3 WHERE id = $1 AND status = $4', [
        id,
        c.rowsRead,
        c.rowsRejected,
        'running',
      ]);
    },
    async fail(id: number, message: string, c: Counters) {
      await database.query(
        `UPDATE sim_imports SET status = 'failed', message = $2, rows_read = $3, rows_imported = 0, rows_updated = 0,
           rows_rejected = $4, finished_at = now() WHERE id = $1`,
        [id, message, c.rowsRead, c.rowsRejected],
      );
    },
    /**
     * Marks failed the imports whose process died (crash, kill -9, power): their transaction rolled back, so nothing
     * of them was written, but their row said `running` for ever. `everyRunning` when this process owns the
     * database alone (PGlite's owner at start); else (PostgreSQL, several processes) only those older than `graceMs`
     * whose advisory lock — held by a live import's transaction — is free.
     */
    async failAbandoned(opts: { everyRunning: boolean; graceMs: number; message: string }): Promise<number[]> {
      const rows = await database.query<{ id: number }>(
        opts.everyRunning
          ? `UPDATE sim_imports SET status = 'failed', message = $1, finished_at = now()
             WHERE status = 'running' RETURNING id::int AS id`
          : `UPDATE sim_imports SET status = 'failed', message = $1, finished_at = now()
             WHERE id IN (SELECT id FROM sim_imports WHERE status = 'running'
                            AND started_at < now() - ($2::int * interval '1 millisecond')
                            AND pg_try_advisory_xact_lock(${IMPORT_LOCK_CLASS}, id::int))
             RETURNING id::int AS id`,
        opts.everyRunning ? [opts.message] : [opts.message, opts.graceMs],
      );
      return rows.map((r) => r.id);
    },
    /** Errors ordered by line; keyset on line so a million-line report pages in constant time. */
    async errors(id: number, afterLine: number, limit: number): Promise<RowError[]> {
      return database.query<RowError>(
        `SELECT line, field, value, reason FROM sim_import_errors
         WHERE import_id = $1 AND line > $2 ORDER BY line, field LIMIT $3`,
        [id, afterLine, limit],
      );
    },
    async errorPage(id: number, offset: number, limit: number): Promise<{ items: RowError[]; total: number }> {
      const items = await database.query<RowError>(
        `SELECT line, field, value, reason FROM sim_import_errors WHERE import_id = $1
         ORDER BY line, field LIMIT $2 OFFSET $3`,
        [id, limit, offset],
      );
      const [t] = await database.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM sim_import_errors WHERE import_id = $1',
        [id],
      );
      return { items, total: t?.n ?? 0 };
    },
  };
}

/** Statements inside the one import transaction. */
export function importTxRepo(tx: RawTx, importId: number) {
  const q = (text: string, params: unknown[] = []) => tx.query(text, params);
  const addErrors = (select: string) =>
    q(`INSERT INTO sim_import_errors (import_id, line, field, value, reason) ${select}`, [importId]);
  let listed = 0;
  const copyErrors = (errors: readonly RowError[]) =>
    errors.length === 0
      ? Promise.resolve()
      : tx.copyIn(
          'COPY sim_import_errors (import_id, line, field, value, reason) FROM STDIN WITH (FORMAT csv)',
          errorsCsv(importId, errors),
        );

  return {
    /** Held until the import's transaction ends, so another process can tell a live import from a dead one. */
    async holdRunningLock() {
      await q(`SELECT pg_advisory_xact_lock(${IMPORT_LOCK_CLASS}, $1::int)`, [importId]);
    },
    async createStage() {
      await q(`CREATE TEMP TABLE ${STAGE} (
        line int NOT NULL,
        sim_id bigint NOT NULL DEFAULT nextval('sims_id_seq'::regclass),
        existing_id bigint,
        iccid text NOT NULL, iccid_raw text NOT NULL, imsis text[], msisdn text, imei text, eid text,
        account_id bigint NOT NULL, tenant_id bigint NOT NULL, communication_plan_id bigint, rate_plan_id bigint,
        state text, label text, custom jsonb
      ) ON COMMIT DROP`);
      await q(`CREATE TEMP TABLE ${CHUNK_TABLE} (LIKE ${STAGE} INCLUDING DEFAULTS) ON COMMIT DROP`);
    },
    /** `direct`: the chunk also lands in the chunk table, for writeChunk (the fast path). */
    async stage(rows: readonly SimRow[], direct: boolean) {
      if (rows.length === 0) return;
      if (!direct) {
        await tx.copyIn(`COPY ${STAGE} (${STAGE_COLUMNS}) FROM STDIN WITH (FORMAT csv)`, stageCsv(rows));
        return;
      }
      await q(`TRUNCATE ${CHUNK_TABLE}`);
      await tx.copyIn(`COPY ${CHUNK_TABLE} (${STAGE_COLUMNS}) FROM STDIN WITH (FORMAT csv)`, stageCsv(rows));
      await q(`INSERT INTO ${STAGE} SELECT * FROM ${CHUNK_TABLE}`);
    },

    /** Rows in sims, counted up to `cap` (so the count costs nothing on a large table). */
    async simsUpTo(cap: number): Promise<number> {
      const [r] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM (SELECT 1 FROM sims LIMIT $1) s', [
        cap,
      ]);
      return r?.n ?? 0;
    },

    /**
     * Bulk load into a small table: drops the non-unique secondary indexes of sims and sim_imsis and returns their
     * definitions as the database has them (the migrations' indexes, one source of truth) for rebuildIndexes.
     * Unique indexes and primary keys stay: they are the fast path's proof of no duplicate, and constraints use them.
     */
    async dropSecondaryIndexes(): Promise<string[]> {
      const defs = await tx.query<{ name: string; def: string }>(
        `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
         FROM pg_index i
         WHERE i.indrelid IN ('sims'::regclass, 'sim_imsis'::regclass)
           AND NOT i.indisunique AND NOT i.indisprimary AND NOT i.indisexclusion
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
         ORDER BY i.indexrelid`,
      );
      for (const d of defs) await q(`DROP INDEX ${d.name}`);
      return defs.map((d) => d.def);
    },
    /** Recreates what dropSecondaryIndexes dropped, in the same transaction (a rollback restores them anyway). */
    async rebuildIndexes(defs: readonly string[]) {
      for (const def of defs) await q(def);
    },

    /** Fast path: the staged chunk straight into sims and sim_imsis; a unique violation means "check it all". */
    async writeChunk() {
      await q(insertSims(CHUNK_TABLE, ''), [importId]);
      await q(insertImsis(CHUNK_TABLE, ''));
    },

    /** atomic refusal after the fast path wrote lines ≤ `through`: take them out again. */
    async removeWritten(through: number) {
      await q(`DELETE FROM sim_imsis i USING ${STAGE} s WHERE i.sim_id = s.sim_id AND s.line <= $1`, [through]);
      await q('DELETE FROM sims WHERE import_id = $1', [importId]);
    },
    /** Errors of lines refused as read, listed up to MAX_LISTED_READ_ERRORS, then one line saying the rest are not. */
    addReadErrors(errors: readonly RowError[]) {
      if (listed > MAX_LISTED_READ_ERRORS) return Promise.resolve();
      const room = MAX_LISTED_READ_ERRORS - listed;
      const out = errors.slice(0, room);
      if (errors.length > room) {
        out.push({
          line: errors[room]!.line,
          field: '(import)',
          value: null,
          reason: `more than ${MAX_LISTED_READ_ERRORS} lines refused: the first ${MAX_LISTED_READ_ERRORS} are listed, the rest only counted (rowsRejected)`,
        });
      }
      listed += out.length;
      return copyErrors(out);
    },
    addRowErrors: copyErrors,

    savepoint: () => q('SAVEPOINT sim_import_fast'),
    releaseSavepoint: () => q('RELEASE SAVEPOINT sim_import_fast'),
    rollbackToSavepoint: () => q('ROLLBACK TO SAVEPOINT sim_import_fast'),

    /** --upsert: staged lines whose ICCID exists update that SIM. */
    async markExisting() {
      await q(`UPDATE ${STAGE} s SET existing_id = d.id FROM sims d WHERE d.iccid = s.iccid`);
    },

    /** --upsert: the staged lines that move an existing SIM to another account (import-moves.ts judges them). */
    async movedSims(): Promise<MovedSim[]> {
      return tx.query<MovedSim>(
        `SELECT s.line, s.iccid_raw AS "iccidRaw", s.account_id::int AS "accountId", s.tenant_id::int AS "tenantId",
           s.communication_plan_id::int AS "communicationPlanId", s.rate_plan_id::int AS "ratePlanId",
           d.tenant_id::int AS "currentTenantId", d.communication_plan_id::int AS "currentCommunicationPlanId",
           d.rate_plan_id::int AS "currentRatePlanId"
         FROM ${STAGE} s JOIN sims d ON d.id = s.existing_id
         WHERE d.account_id <> s.account_id
         ORDER BY s.line`,
      );
    },

    /**
     * Every duplicate, set-based: a later line repeating an earlier line's ICCID/MSISDN/IMSI (naming the earlier
     * line), and values already in the database. With upsert, a line's own SIM does not count against it.
     */
    async checkDuplicates(upsert: boolean) {
      const dupInFile = (field: string, from: string, key: string, value: string) =>
        addErrors(`SELECT $1::bigint, line, '${field}', v, 'duplicate of line ' || first_line || ' in this file'
          FROM (SELECT s.line, ${value} AS v, min(s.line) OVER (PARTITION BY ${key}) AS first_line ${from}) d
          WHERE line <> first_line`);
      await dupInFile('iccid', `FROM ${STAGE} s`, 's.iccid', 's.iccid_raw');
      await dupInFile('msisdn', `FROM ${STAGE} s WHERE s.msisdn IS NOT NULL`, 's.msisdn', 's.msisdn');
      await dupInFile('imsi', `FROM ${STAGE} s CROSS JOIN LATERAL unnest(s.imsis) AS u(imsi)`, 'u.imsi', 'u.imsi');

      const owner = `'already used by SIM id ' || d.id`;
      if (!upsert) {
        await addErrors(`SELECT $1::bigint, s.line, 'iccid', s.iccid_raw, 'already exists (SIM id ' || d.id || ')'
          FROM ${STAGE} s JOIN sims d ON d.iccid = s.iccid AND d.import_id IS DISTINCT FROM $1`);
      }
      await addErrors(`SELECT $1::bigint, s.line, 'msisdn', s.msisdn, ${owner}
        FROM ${STAGE} s JOIN sims d ON d.msisdn = s.msisdn
        WHERE d.id IS DISTINCT FROM s.existing_id AND d.import_id IS DISTINCT FROM $1`);
      await addErrors(`SELECT $1::bigint, s.line, 'imsi', u.imsi, ${owner}
        FROM ${STAGE} s CROSS JOIN LATERAL unnest(s.imsis) AS u(imsi)
        JOIN sim_imsis i ON i.imsi = u.imsi JOIN sims d ON d.id = i.sim_id
        WHERE i.sim_id IS DISTINCT FROM s.existing_id AND d.import_id IS DISTINCT FROM $1`);
    },

    /** Staged lines with an error (duplicates, moves); lines refused as read are counted by the caller. */
    async rejectedStagedLines(): Promise<number> {
      const [r] = await tx.query<{ n: number }>(
        `SELECT count(DISTINCT e.line)::int AS n FROM sim_import_errors e
         WHERE e.import_id = $1 AND EXISTS (SELECT 1 FROM ${STAGE} s WHERE s.line = e.line)`,
        [importId],
      );
      return r?.n ?? 0;
    },

    /** skip-invalid: drop the staged lines that got a duplicate error. */
    async dropRejected() {
      await q(
        `DELETE FROM ${STAGE} s USING (SELECT DISTINCT line FROM sim_import_errors WHERE import_id = $1) e
        WHERE s.line = e.line`,
        [importId],
      );
    },

    /** The staged lines after `afterLine` (those before were written by the fast path). */
    async insertNew(afterLine: number): Promise<void> {
      await q(insertSims(STAGE, 'AND line > $2'), [importId, afterLine]);
      await q(insertImsis(STAGE, 'AND s.line > $1'), [afterLine]);
    },

    /** --upsert: the listed (non-empty) fields replace the SIM's; custom fields merge; the change is audited. */
    async updateExisting(actorUserId: number | null, actor: string): Promise<void> {
      await q(
        `INSERT INTO sim_audit (tenant_id, sim_id, actor_user_id, actor, action, before, after)
         SELECT s.tenant_id, d.id, $1, $2, 'import.update',
           jsonb_build_object('accountId', d.account_id, 'msisdn', d.msisdn, 'imei', d.imei, 'eid', d.eid,
             'communicationPlanId', d.communication_plan_id, 'ratePlanId', d.rate_plan_id, 'state', d.state,
             'labels', d.labels, 'customFields', d.custom_fields),
           jsonb_strip_nulls(jsonb_build_object('importId', $3::bigint, 'accountId', s.account_id, 'msisdn', s.msisdn,
             'imsis', s.imsis, 'imei', s.imei, 'eid', s.eid, 'communicationPlanId', s.communication_plan_id,
             'ratePlanId', s.rate_plan_id, 'state', s.state, 'label', s.label, 'customFields', s.custom))
         FROM ${STAGE} s JOIN sims d ON d.id = s.existing_id`,
        [actorUserId, actor, importId],
      );
      await q(`UPDATE sims d SET
          tenant_id = s.tenant_id, account_id = s.account_id,
          msisdn = coalesce(s.msisdn, d.msisdn), imei = coalesce(s.imei, d.imei), eid = coalesce(s.eid, d.eid),
          communication_plan_id = coalesce(s.communication_plan_id, d.communication_plan_id),
          rate_plan_id = coalesce(s.rate_plan_id, d.rate_plan_id),
          state = coalesce(s.state, d.state),
          state_changed_at = CASE WHEN s.state IS NOT NULL AND s.state <> d.state THEN now() ELSE d.state_changed_at END,
          labels = CASE WHEN s.label IS NULL THEN d.labels ELSE ARRAY[s.label] END,
          custom_fields = d.custom_fields || coalesce(s.custom, '{}'::jsonb),
          updated_at = now()
        FROM ${STAGE} s WHERE d.id = s.existing_id`);
      await q(`DELETE FROM sim_imsis i USING ${STAGE} s WHERE i.sim_id = s.existing_id AND s.imsis IS NOT NULL`);
      await q(`INSERT INTO sim_imsis (imsi, sim_id, tenant_id, position, is_current)
        SELECT u.imsi, s.existing_id, s.tenant_id, (u.ord - 1)::smallint, u.ord = 1
        FROM ${STAGE} s CROSS JOIN LATERAL unnest(s.imsis) WITH ORDINALITY AS u(imsi, ord)
        WHERE s.imsis IS NOT NULL AND s.existing_id IS NOT NULL`);
      await q(`UPDATE sim_imsis i SET tenant_id = s.tenant_id FROM ${STAGE} s
        WHERE i.sim_id = s.existing_id AND i.tenant_id <> s.tenant_id`);
    },

    async stagedCounts(): Promise<{ inserted: number; updated: number }> {
      const [r] = await tx.query<{ inserted: number; updated: number }>(
        `SELECT count(*) FILTER (WHERE existing_id IS NULL)::int AS inserted, count(existing_id)::int AS updated
         FROM ${STAGE}`,
      );
      return { inserted: r?.inserted ?? 0, updated: r?.updated ?? 0 };
    },

    async finish(status: 'succeeded' | 'failed', message: string, c: Counters) {
      await q(
        `UPDATE sim_imports SET status = $2, message = $3, rows_read = $4, rows_imported = $5, rows_updated = $6,
           rows_rejected = $7, finished_at = now() WHERE id = $1`,
        [importId, status, message, c.rowsRead, c.rowsImported, c.rowsUpdated, c.rowsRejected],
      );
    },
  };
}
