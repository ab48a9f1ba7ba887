/**
 * SIM export in the import format (shared/contracts/sim-import-v1.md), so export → import round-trips.
 * Takes the SIM list's filter (the same where-clause), so the console's Export downloads what its list shows.
 * Streams: keyset pages of PAGE SIMs by id, each a short query (never one long transaction or cursor, which
 * would hold PGlite's only connection), through csv-stringify. Customers get only their own subtree.
 * Columns: the contract's, then one `custom.<name>` per custom field present in the selection (found first by a
 * key scan, since the header must be known before the first row). ICCIDs are written with their Luhn digit
 * (20 digits); IMSIs joined by ';' current first; labels joined by '; ' (the import takes one label per SIM).
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { sql } from 'drizzle-orm';
import { type Principal, scopeOf } from '../../../platform/auth.ts';
import type { Ctx } from '../../../platform/context.ts';
import type { Db } from '../../../platform/db/client.ts';
import { queryRows } from '../../../platform/db/rows.ts';
import { invalid } from '../../../platform/errors.ts';
import type { AccountsService } from '../../accounts/accounts.service.ts';
import type { CatalogService } from '../../catalog/catalog.service.ts';
import { displayIccid } from '../identifiers.ts';
import { isSimState, type SimState } from '../lifecycle.ts';
import { SimsErrors } from '../sims.errors.ts';
import { filterWhere } from '../sims.filters.ts';
import { type SimReach, type SimWhere, simWhere } from '../sims.repo.ts';
import type { ListSimsQueryInput } from '../sims.schemas.ts';
import { CUSTOM_PREFIX, KNOWN_COLUMNS, spreadsheetSafe } from './csv-row.ts';

const PAGE = 10_000;

/**
 * The SIM list's filter (GET /api/v1/sims takes the same fields), so "export" downloads exactly what the list shows.
 * `state` may come as one state (the CLI's --state) or several.
 */
export type ExportFilter = Omit<ListSimsQueryInput, 'sort' | 'order' | 'limit' | 'cursor' | 'state' | 'subtree'> & {
  state?: string | string[] | undefined;
  subtree?: boolean | undefined;
};

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

/** SQL over the SIM module's own tables (and the list's declared network read model) through the list's where. */
function exportRepo(db: Db) {
  const cond = (w: SimWhere) => simWhere(w) ?? sql`true`;
  return {
    async customKeys(w: SimWhere): Promise<string[]> {
      const rows = await queryRows<{ k: string }>(
        db,
        sql`select distinct k from sims, jsonb_object_keys(sims.custom_fields) as k
            where sims.custom_fields <> '{}'::jsonb and ${cond(w)} order by k`,
      );
      return rows.map((r) => r.k);
    },
    async page(w: SimWhere, afterId: number): Promise<ExportRow[]> {
      const rows = await queryRows<ExportRow>(
        db,
        sql`select sims.id::int as id, sims.iccid, sims.msisdn, sims.imei, sims.eid, sims.account_id::int as account_id,
              sims.communication_plan_id::int as communication_plan_id, sims.rate_plan_id::int as rate_plan_id,
              sims.state, sims.labels, sims.custom_fields,
              (select string_agg(i.imsi, ';' order by i.position) from sim_imsis i where i.sim_id = sims.id) as imsis
            from sims where sims.id > ${afterId} and ${cond(w)}
            order by sims.id limit ${PAGE}`,
      );
      return rows.map((r) => ({ ...r, id: Number(r.id), account_id: Number(r.account_id) }));
    },
  };
}

/** `state` as the list takes it; an unknown state is refused naming it (the CLI passes what it was given). */
function statesOf(state: string | string[] | undefined): SimState[] | undefined {
  if (state === undefined) return undefined;
  const list = Array.isArray(state) ? state : [state];
  for (const s of list) {
    if (!isSimState(s))
      throw invalid(SimsErrors.stateInvalid, `Unknown SIM state ${s}`, [
        { field: 'state', value: s, reason: 'not a SIM state' },
      ]);
  }
  return list as SimState[];
}

export type ExportService = ReturnType<typeof createExportService>;

export function createExportService(
  ctx: Pick<Ctx, 'database'>,
  deps: {
    accounts: Pick<AccountsService, 'getInScope' | 'subtreeIds' | 'allNumbers'>;
    catalog: Pick<CatalogService, 'planNames'>;
  },
) {
  const repo = exportRepo(ctx.database.db);

  return {
    /**
     * Checks the filter (an account outside the caller's reach answers 404 like a missing one), then returns the
     * CSV as a stream. Errors after the first byte end the stream with an error.
     */
    async exportCsv(p: Principal, f: ExportFilter): Promise<Readable> {
      const scope = scopeOf(p);
      // An account outside the caller's reach answers 404 like a missing one (the list answers 400 naming it).
      const account = f.accountId === undefined ? undefined : await deps.accounts.getInScope(scope, f.accountId);
      const under = account?.path ?? (scope.kind === 'customer' ? scope.accountPath : null);
      const reach: SimReach =
        account && f.subtree === false
          ? { tenantId: account.tenantId, accountIds: [account.id] }
          : under === null
            ? {}
            : { accountIds: await deps.accounts.subtreeIds(scope, under) };
      const { accountId: _a, subtree: _s, state, ...rest } = f;
      const where: SimWhere = {
        ...filterWhere({ ...rest, subtree: true, states: statesOf(state), networkStates: f.networkState }),
        ...reach,
      };
      // Accounts and plans are few next to SIMs: resolve their names in memory once per export.
      const accountNumber = new Map((await deps.accounts.allNumbers()).map((a) => [a.id, a.number]));
      const commPlans = await deps.catalog.planNames('communication');
      const ratePlans = await deps.catalog.planNames('rate');
      const planName = (names: Map<number, string>, id: number | null) => (id === null ? '' : (names.get(id) ?? ''));
      const keys = await repo.customKeys(where);
      const columns = [...KNOWN_COLUMNS, ...keys.map((k) => CUSTOM_PREFIX + k)];

      async function* rows() {
        yield columns;
        for (let after = 0; ; ) {
          const page = await repo.page(where, after);
          for (const r of page) {
            yield [
              displayIccid(r.iccid),
              r.imsis ?? '',
              r.msisdn ?? '',
              r.imei ?? '',
              r.eid ?? '',
              accountNumber.get(r.account_id) ?? '',
              spreadsheetSafe(planName(commPlans, r.communication_plan_id)),
              spreadsheetSafe(planName(ratePlans, r.rate_plan_id)),
              r.state,
              spreadsheetSafe(r.labels.join('; ')),
              ...keys.map((k) => spreadsheetSafe(r.custom_fields[k] ?? '')),
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
