/**
 * SIM export in the import format (shared/contracts/sim-import-v1.md), so export → import round-trips.
 * Streams: keyset pages of PAGE SIMs by id, each a short query (never one long transaction or cursor, which
 * would hold PGlite's only connection), through csv-stringify. Customers get only their own subtree.
 * Columns: the contract's, then one `custom.<name>` per custom field present in the selection (found first by a
 * key scan, since the header must be known before the first row). ICCIDs are written with their Luhn digit
 * (20 digits); IMSIs joined by ';' current first; labels joined by '; ' (the import takes one label per SIM).
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { type Principal, scopeOf } from '../../../platform/auth.ts';
import type { Ctx } from '../../../platform/context.ts';
import type { Database } from '../../../platform/db/client.ts';
import type { AccountsService } from '../../accounts/accounts.service.ts';
import type { CatalogService } from '../../catalog/catalog.service.ts';
import { displayIccid } from '../identifiers.ts';
import { CUSTOM_PREFIX, KNOWN_COLUMNS } from './csv-row.ts';

const PAGE = 10_000;

export type ExportFilter = { accountId?: number | undefined; state?: string | undefined };

type ExportRow = {
  id: number;
  iccid: string;
  imsis: string | null;
  msisdn: string | null;
  imei: string | null;
  eid: string | null;
  account_id: number;
  communication_plan_id: number | null;
  rate_plan_id: number | null;
  state: string;
  labels: string[];
  custom_fields: Record<string, string>;
};

/**
 * SQL over the SIM module's own tables only; account numbers and plan names come from their services.
 * `accountIds`: the selection's accounts; null = every account (staff, no filter).
 */
function exportRepo(database: Database) {
  const where = (accountIds: number[] | null, state: string | undefined, params: unknown[]) => {
    const conds = ['TRUE'];
    if (accountIds !== null) {
      params.push(accountIds);
      conds.push(`s.account_id = ANY($${params.length}::bigint[])`);
    }
    if (state !== undefined) {
      params.push(state);
      conds.push(`s.state = $${params.length}`);
    }
    return conds.join(' AND ');
  };
  return {
    async customKeys(accountIds: number[] | null, state: string | undefined): Promise<string[]> {
      const params: unknown[] = [];
      const rows = await database.query<{ k: string }>(
        `SELECT DISTINCT k FROM sims s, jsonb_object_keys(s.custom_fields) AS k
         WHERE s.custom_fields <> '{}'::jsonb AND ${where(accountIds, state, params)} ORDER BY k`,
        params,
      );
      return rows.map((r) => r.k);
    },
    async page(accountIds: number[] | null, state: string | undefined, afterId: number): Promise<ExportRow[]> {
      const params: unknown[] = [afterId];
      return database.query<ExportRow>(
        `SELECT s.id::int AS id, s.iccid, s.msisdn, s.imei, s.eid, s.account_id::int AS account_id,
           s.communication_plan_id::int AS communication_plan_id, s.rate_plan_id::int AS rate_plan_id,
           s.state, s.labels, s.custom_fields,
           (SELECT string_agg(i.imsi, ';' ORDER BY i.position) FROM sim_imsis i WHERE i.sim_id = s.id) AS imsis
         FROM sims s
         WHERE s.id > $1 AND ${where(accountIds, state, params)}
         ORDER BY s.id LIMIT ${PAGE}`,
        params,
      );
    },
  };
}

export type ExportService = ReturnType<typeof createExportService>;

export function createExportService(
  ctx: Pick<Ctx, 'database'>,
  deps: {
    accounts: Pick<AccountsService, 'getInScope' | 'subtreeIds' | 'allNumbers'>;
    catalog: Pick<CatalogService, 'planNames'>;
  },
) {
  const repo = exportRepo(ctx.database);

  return {
    /**
     * Checks the filter (an account outside the caller's reach answers 404 like a missing one), then returns the
     * CSV as a stream. Errors after the first byte end the stream with an error.
     */
    async exportCsv(p: Principal, f: ExportFilter): Promise<Readable> {
      const scope = scopeOf(p);
      let under: string | null = scope.kind === 'customer' ? scope.accountPath : null;
      if (f.accountId !== undefined) under = (await deps.accounts.getInScope(scope, f.accountId)).path;
      const accountIds = under === null ? null : await deps.accounts.subtreeIds(scope, under);
      // Accounts and plans are few next to SIMs: resolve their names in memory once per export.
      const accountNumber = new Map((await deps.accounts.allNumbers()).map((a) => [a.id, a.number]));
      const commPlans = await deps.catalog.planNames('communication');
      const ratePlans = await deps.catalog.planNames('rate');
      const planName = (names: Map<number, string>, id: number | null) => (id === null ? '' : (names.get(id) ?? ''));
      const keys = await repo.customKeys(accountIds, f.state);
      const columns = [...KNOWN_COLUMNS, ...keys.map((k) => CUSTOM_PREFIX + k)];

      async function* rows() {
        yield columns;
        for (let after = 0; ; ) {
          const page = await repo.page(accountIds, f.state, after);
          for (const r of page) {
            yield [
              displayIccid(r.iccid),
              r.imsis ?? '',
              r.msisdn ?? '',
              r.imei ?? '',
              r.eid ?? '',
              accountNumber.get(r.account_id) ?? '',
              planName(commPlans, r.communication_plan_id),
              planName(ratePlans, r.rate_plan_id),
              r.state,
              r.labels.join('; '),
              ...keys.map((k) => r.custom_fields[k] ?? ''),
            ];
          }
          if (page.length < PAGE) return;
          after = page[page.length - 1]!.id;
        }
      }
      // Identifiers stay strings: csv-stringify writes them as given, never as numbers.
      const out = stringify({ record_delimiter: 'unix' });
      const src = Readable.from(rows());
      src.on('error', (e) => out.destroy(e));
      return src.pipe(out);
    },
  };
}
