import { isStaff, type Principal, scopeOf, type TenantScope } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import type { Db } from '../../platform/db/client.ts';
import { isUniqueViolation } from '../../platform/db/pg-errors.ts';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import type { AccountsService, ContactRow } from '../accounts/accounts.service.ts';
import { casePartiesRepo, type ProviderRefRow } from './case-parties.repo.ts';
import type { CreateProviderRefInput } from './case-parties.schemas.ts';
import { recordChange } from './case-writes.ts';
import { CasesErrors as E } from './cases.errors.ts';
import { type CaseRow, casesRepo } from './cases.repo.ts';
import type { CreateCaseInput } from './cases.schemas.ts';
import type { CaseRecord, CasesService } from './cases.service.ts';

/**
 * The people and partners on a case: its contacts and its provider references.
 *
 * Contacts: a case's contacts are contacts of the case's account or of an account above it in the same tenant
 * (the sub-account's own people, and the enterprise's NOC or key-account contact that a desk copies on every
 * case of the group). Contacts of accounts below or beside the case's account are refused: they are other
 * customers of the customer. A customer may add only contacts of its own subtree, and remove only those.
 * Everyone who sees the case sees its contacts: being on the case is what the customer is told.
 * Contact data comes from the accounts service, never from its tables.
 *
 * Provider references are staff-only, read and write: in the field the customer is told a partner is
 * involved, not the partner's name and ticket number (those are the provider's supply chain, and a customer
 * calling the partner directly with the ticket number short-circuits the desk).
 */
export type CaseParties = ReturnType<typeof createCaseParties>;
export type CaseDetail = { case: CaseRecord; contacts: ContactRow[]; providerRefs?: ProviderRefRow[] };

const OPERATOR: TenantScope = { kind: 'operator' };
const NO_SUCH_CONTACT = "no such contact in the case account's tenant";

export function createCaseParties(
  ctx: Pick<Ctx, 'database'>,
  deps: {
    accounts: Pick<AccountsService, 'get' | 'getInScope' | 'contactsByIds'>;
    cases: Pick<CasesService, 'get' | 'show' | 'create'>;
  },
) {
  const db: Db = ctx.database.db;
  const repo = casePartiesRepo(db);

  /** Every id must be a contact the caller may put on a case of the account at `accountPath` (see above). */
  async function eligible(
    p: Principal,
    account: { path: string; tenantId: number },
    ids: readonly number[],
    field: (i: number) => string,
  ): Promise<ContactRow[]> {
    // The caller's scope: a customer never learns of contacts outside its subtree, nor anyone of another tenant.
    const found = new Map((await deps.accounts.contactsByIds(scopeOf(p), ids)).map((c) => [c.id, c]));
    const details = ids.flatMap((id, i) => {
      const c = found.get(id);
      if (!c || c.tenantId !== account.tenantId) return [{ field: field(i), value: id, reason: NO_SUCH_CONTACT }];
      if (!account.path.startsWith(c.accountPath)) {
        return [{ field: field(i), value: id, reason: "not a contact of the case's account or an account above it" }];
      }
      return [];
    });
    if (details.length > 0) {
      throw invalid(
        E.contactsUnknown,
        `Contacts not allowed on this case: ${details.map((d) => d.value).join(', ')}`,
        details,
      );
    }
    return [...new Set(ids)].map((id) => found.get(id)!);
  }

  async function accountOf(c: Pick<CaseRow, 'accountId'>) {
    // The case was reached already; its account is read unscoped only for its place in the tree.
    return deps.accounts.getInScope(OPERATOR, c.accountId);
  }

  /** Adds contacts and records it in the timeline (public: the customer sees who is on its case). */
  async function attach(p: Principal, c: CaseRow, contacts: readonly ContactRow[], within?: Db): Promise<void> {
    const write = async (tx: Db) => {
      const added = new Set(
        await casePartiesRepo(tx).addContacts(
          c.id,
          c.tenantId,
          contacts.map((x) => x.id),
        ),
      );
      const fresh = contacts.filter((x) => added.has(x.id));
      if (fresh.length === 0) return;
      await recordChange(casesRepo(tx), c, p, {
        visibility: 'public',
        body: `Contact${fresh.length > 1 ? 's' : ''} added: ${fresh.map((x) => x.name).join(', ')}`,
        data: { action: 'contacts_added', contacts: fresh.map((x) => ({ id: x.id, name: x.name })) },
      });
    };
    await (within ? write(within) : db.transaction(write));
  }

  async function contactsOf(caseId: number): Promise<ContactRow[]> {
    return deps.accounts.contactsByIds(OPERATOR, await repo.contactIds(caseId));
  }

  function staffOnly(p: Principal, field: string, value: unknown) {
    if (!isStaff(p)) {
      throw forbidden(E.providerRefsForbidden, 'Provider references are for the provider’s staff only', [
        { field, value, reason: 'staff only' },
      ]);
    }
  }

  return {
    /** Opens a case (cases.create) and puts its contacts on it; the contacts are checked before anything is written. */
    async create(p: Principal, input: CreateCaseInput): Promise<CaseDetail> {
      const ids = input.contactIds;
      // The account is read in the caller's scope: another tenant's account answers 404 as cases.create would.
      const contacts =
        ids.length > 0
          ? await eligible(p, await deps.accounts.get(p, input.accountId), ids, (i) => `contactIds.${i}`)
          : [];
      // One transaction: the case exists with its contacts, or not at all.
      const c = await deps.cases.create(p, input, {
        within: contacts.length > 0 ? (tx, row) => attach(p, row, contacts, tx) : undefined,
      });
      return {
        case: c,
        contacts: contacts.slice().sort((a, b) => a.id - b.id),
        ...(isStaff(p) ? { providerRefs: [] } : {}),
      };
    },

    async detail(p: Principal, number: string): Promise<CaseDetail> {
      const c = await deps.cases.show(p, number);
      const contacts = await contactsOf(c.id);
      return { case: c, contacts, ...(isStaff(p) ? { providerRefs: await repo.providerRefs(c.id) } : {}) };
    },

    async addContact(p: Principal, number: string, contactId: number): Promise<ContactRow[]> {
      const c = await deps.cases.get(p, number);
      const contacts = await eligible(p, await accountOf(c), [contactId], () => 'contactId');
      await attach(p, c, contacts);
      return contactsOf(c.id);
    },

    async removeContact(p: Principal, number: string, contactId: number): Promise<ContactRow[]> {
      const c = await deps.cases.get(p, number);
      const [mine] = await deps.accounts.contactsByIds(scopeOf(p), [contactId]);
      const ids = await repo.contactIds(c.id);
      if (!ids.includes(contactId)) {
        throw notFound(E.contactNotOnCase, `Contact ${contactId} is not on case ${number}`, [
          { field: 'contactId', value: contactId, reason: 'not on this case' },
        ]);
      }
      if (!mine && !isStaff(p)) {
        throw forbidden(E.contactForbidden, 'Customers remove only contacts of their own accounts', [
          { field: 'contactId', value: contactId, reason: 'a contact of an account above yours' },
        ]);
      }
      // A contact deleted from its account since stays removable by staff, under its id.
      const name = mine?.name ?? `#${contactId}`;
      await db.transaction(async (tx) => {
        if (!(await casePartiesRepo(tx).removeContact(c.id, contactId))) return;
        await recordChange(casesRepo(tx), c, p, {
          visibility: 'public',
          body: `Contact removed: ${name}`,
          data: { action: 'contact_removed', contact: { id: contactId, name } },
        });
      });
      return contactsOf(c.id);
    },

    async addProviderRef(p: Principal, number: string, input: CreateProviderRefInput): Promise<ProviderRefRow> {
      // Load first: another tenant's customer gets the same 404 as for a missing case, before any 403.
      const c = await deps.cases.get(p, number);
      staffOnly(p, 'provider', input.provider);
      try {
        return await db.transaction(async (tx) => {
          const ref = await casePartiesRepo(tx).insertProviderRef({
            caseId: c.id,
            tenantId: c.tenantId,
            provider: input.provider,
            ticket: input.ticket,
            note: input.note ?? null,
            createdBy: p.userId > 0 ? p.userId : null,
          });
          await recordChange(casesRepo(tx), c, p, {
            visibility: 'internal',
            body: `Handed to ${ref.provider} (ticket ${ref.ticket})${ref.note ? `: ${ref.note}` : ''}`,
            data: {
              action: 'provider_ref_added',
              providerRef: { id: ref.id, provider: ref.provider, ticket: ref.ticket },
            },
          });
          return ref;
        });
      } catch (e) {
        if (isUniqueViolation(e, 'case_provider_refs_uq')) {
          throw conflict(E.providerRefTaken, `Case ${number} already has ${input.provider} ticket ${input.ticket}`, [
            { field: 'ticket', value: input.ticket, reason: `already on the case for provider ${input.provider}` },
          ]);
        }
        throw e;
      }
    },

    async removeProviderRef(p: Principal, number: string, id: number): Promise<ProviderRefRow[]> {
      const c = await deps.cases.get(p, number);
      staffOnly(p, 'id', id);
      const removed = await db.transaction(async (tx) => {
        const ref = await casePartiesRepo(tx).removeProviderRef(c.id, id);
        if (!ref) return undefined;
        await recordChange(casesRepo(tx), c, p, {
          visibility: 'internal',
          body: `Provider reference removed: ${ref.provider} ticket ${ref.ticket}`,
          data: {
            action: 'provider_ref_removed',
            providerRef: { id: ref.id, provider: ref.provider, ticket: ref.ticket },
          },
        });
        return ref;
      });
      if (!removed) {
        throw notFound(E.providerRefNotFound, `Provider reference ${id} not found on case ${number}`, [
          { field: 'id', value: id, reason: 'not on this case' },
        ]);
      }
      return repo.providerRefs(c.id);
    },
  };
}
