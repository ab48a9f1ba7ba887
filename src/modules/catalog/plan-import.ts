/**
 * Plans in bulk: a customer's onboarding names its communication and rate plans (APNs, roaming, what happens past
 * the data allowance) at once, and ops keep a catalog as a file they load again after each change. The import
 * creates them through the same service as the API's single creates, so every rule is the same; it adds:
 * - all or nothing, in one transaction: a file with one bad plan writes none;
 * - every bad plan named at once by its place in the file (`ratePlans[3].overage.throttleKbps`), not the first only;
 * - `upsert`: a plan of the same name and owner becomes what the file says (the file is the truth, so a field it
 *   leaves out goes back to its default), instead of the name being refused;
 * - `dryRun`: the same checks and the same answer, rolled back.
 */
import type { Principal } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { AppError, type ErrorDetail, invalid, notFound } from '../../platform/errors.ts';
import { CatalogErrors as E } from './catalog.errors.ts';
import { catalogRepo, type PlanKind } from './catalog.repo.ts';
import type {
  CreateCommunicationPlanInput,
  CreateRatePlanInput,
  ImportPlansInput,
  ImportPlansOptions,
  ImportPlansOutcome,
} from './catalog.schemas.ts';
import { type AccountLookup, createCatalogService, requireStaff } from './catalog.service.ts';

type Imported = ImportPlansOutcome['ratePlans'][number];
const LISTS = { communication: 'communicationPlans', rate: 'ratePlans' } as const;
const ownerKey = (accountId: number | null | undefined, name: string) => `${accountId ?? 0}|${name}`;

/** Thrown to roll a dry run back once it has done everything a real one does. */
class DryRun extends Error {
  readonly outcome: ImportPlansOutcome;
  constructor(outcome: ImportPlansOutcome) {
    super('dry run');
    this.outcome = outcome;
  }
}

export type PlanImport = ReturnType<typeof createPlanImport>;

export function createPlanImport(ctx: Pick<Ctx, 'database'>, accounts: AccountLookup) {
  return {
    async importPlans(p: Principal, input: ImportPlansInput, opts: ImportPlansOptions): Promise<ImportPlansOutcome> {
      requireStaff(p, 'import plans');
      const problems = [
        ...repeatedIn(input.communicationPlans, 'communication'),
        ...repeatedIn(input.ratePlans, 'rate'),
      ];
      if (problems.length > 0) throw refused(problems);
      const owners = await ownersOf(accounts, [...input.communicationPlans, ...input.ratePlans]);
      try {
        return await ctx.database.db.transaction(async (tx) => {
          const catalog = createCatalogService({ database: { ...ctx.database, db: tx } }, owners);
          const repo = catalogRepo(tx);
          const existing = {
            communication: new Map(
              (await repo.planIndex('communication')).map((x) => [ownerKey(x.accountId, x.name), x.id]),
            ),
            rate: new Map((await repo.planIndex('rate')).map((x) => [ownerKey(x.accountId, x.name), x.id])),
          };
          const taken = (kind: PlanKind, plans: readonly { name: string; accountId?: number | undefined }[]) =>
            plans.flatMap((plan, i): ErrorDetail[] =>
              existing[kind].has(ownerKey(plan.accountId, plan.name))
                ? [
                    {
                      field: `${LISTS[kind]}[${i}].name`,
                      value: plan.name,
                      reason: 'a plan of this name and owner exists; import with mode upsert to change it',
                    },
                  ]
                : [],
            );
          if (opts.mode === 'create') {
            const names = [...taken('communication', input.communicationPlans), ...taken('rate', input.ratePlans)];
            if (names.length > 0) throw refused(names);
          }
          const write = async <T extends { name: string; accountId?: number | undefined }>(
            kind: PlanKind,
            plans: readonly T[],
            create: (plan: T) => Promise<{ id: number }>,
            update: (id: number, plan: T) => Promise<{ id: number }>,
          ) => {
            const done: Imported[] = [];
            for (const [index, plan] of plans.entries()) {
              const id = existing[kind].get(ownerKey(plan.accountId, plan.name));
              try {
                const row = id === undefined ? await create(plan) : await update(id, plan);
                done.push({
                  index,
                  id: opts.dryRun && id === undefined ? null : row.id,
                  name: plan.name,
                  accountId: plan.accountId ?? null,
                  outcome: id === undefined ? 'created' : 'updated',
                });
              } catch (e) {
                // A plan the service refuses before writing (bad input) leaves the transaction usable: go on and
                // name every bad plan. Anything else (a database error) ends the import.
                if (!(e instanceof AppError) || e.kind !== 'invalid') throw e;
                problems.push(...at(`${LISTS[kind]}[${index}]`, e));
              }
            }
            return done;
          };
          const outcome: ImportPlansOutcome = {
            dryRun: opts.dryRun,
            communicationPlans: await write(
              'communication',
              input.communicationPlans,
              (plan) => catalog.createCommunicationPlan(p, plan),
              (id, plan) => catalog.updateCommunicationPlan(p, id, asCommunicationUpdate(plan)),
            ),
            ratePlans: await write(
              'rate',
              input.ratePlans,
              (plan) => catalog.createRatePlan(p, plan),
              (id, plan) => catalog.updateRatePlan(p, id, asRateUpdate(plan)),
            ),
          };
          if (problems.length > 0) throw refused(problems);
          if (opts.dryRun) throw new DryRun(outcome);
          return outcome;
        });
      } catch (e) {
        if (e instanceof DryRun) return e.outcome;
        throw e;
      }
    },
  };
}

/**
 * The owners the file names, read before the transaction and answered from memory inside it: the embedded database
 * has one session, so a lookup outside the transaction would wait for it forever.
 */
async function ownersOf(
  accounts: AccountLookup,
  plans: readonly { accountId?: number | undefined }[],
): Promise<AccountLookup> {
  type Account = Awaited<ReturnType<AccountLookup['getInScope']>>;
  const found = new Map<number, Account>();
  for (const id of new Set(plans.flatMap((p) => (p.accountId === undefined ? [] : [p.accountId])))) {
    try {
      found.set(id, await accounts.getInScope({ kind: 'operator' }, id));
    } catch (e) {
      if (!(e instanceof AppError) || e.kind !== 'not_found') throw e;
    }
  }
  return {
    async getInScope(_scope, id) {
      const a = found.get(id);
      if (!a) throw notFound(E.accountNotFound, `Account ${id} does not exist`);
      return a;
    },
    subtreeIds: () => Promise.reject(new Error('the plan import lists no plans')),
  };
}

/** Two plans of one list with the same name and owner: the second would overwrite the first. */
function repeatedIn(plans: readonly { name: string; accountId?: number | undefined }[], kind: PlanKind): ErrorDetail[] {
  const first = new Map<string, number>();
  return plans.flatMap((plan, i): ErrorDetail[] => {
    const key = ownerKey(plan.accountId, plan.name);
    const before = first.get(key);
    if (before === undefined) {
      first.set(key, i);
      return [];
    }
    return [
      {
        field: `${LISTS[kind]}[${i}].name`,
        value: plan.name,
        reason: `the same name and owner as ${LISTS[kind]}[${before}]`,
      },
    ];
  });
}

/** The service's refusal of one plan, its fields placed in the file. */
function at(prefix: string, e: AppError): ErrorDetail[] {
  if (e.details.length === 0) return [{ field: prefix, reason: `${e.code}: ${e.message}` }];
  return e.details.map((d) => ({ ...d, field: d.field ? `${prefix}.${d.field}` : prefix, reason: d.reason }));
}

function refused(details: ErrorDetail[]): AppError {
  const plans = new Set(details.map((d) => d.field?.replace(/\].*$/, ']')));
  return invalid(
    E.importInvalid,
    `${plans.size} plan${plans.size === 1 ? '' : 's'} of the file ${plans.size === 1 ? 'is' : 'are'} refused; nothing was imported`,
    details,
  );
}

/** Upsert: the file is the truth, so the create's defaults stand for fields it leaves out. */
const asCommunicationUpdate = ({ accountId: _owner, ...plan }: CreateCommunicationPlanInput) => ({
  ...plan,
  description: plan.description ?? null,
  imeiLock: plan.imeiLock ?? false,
});

const asRateUpdate = ({ accountId: _owner, ...plan }: CreateRatePlanInput) => ({
  ...plan,
  description: plan.description ?? null,
  included: { dataMb: 0, sms: 0, voiceMin: 0, ...plan.included },
  overage: {
    dataPerMb: '0',
    smsEach: '0',
    voicePerMin: '0',
    action: 'charge' as const,
    throttleKbps: null,
    ...plan.overage,
  },
  testReady: { dataMb: 0, sms: 0, voiceMin: 0, days: 0, ...plan.testReady },
});
