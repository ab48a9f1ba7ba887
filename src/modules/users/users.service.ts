import { createHash, randomBytes } from 'node:crypto';
import { isStaff, type Principal, ROLE_SCOPES, type Role, type Scope, scopeOf } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { isUniqueViolation } from '../../platform/db/pg-errors.ts';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.ts';
import { createTtlCache } from '../../platform/ttl-cache.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { UsersErrors as E } from './users.errors.ts';
import { type UserRow, usersRepo } from './users.repo.ts';
import type { CreateTokenInput, CreateUserInput, ListUsersInput, UpdateUserInput } from './users.schemas.ts';

export type UsersService = ReturnType<typeof createUsersService>;
export type { UserRow };

const TOKEN_TOUCH_INTERVAL_MS = 60_000;
/**
 * How long a token's resolved principal is reused without asking the database (token, user and account look-ups
 * were most of an API call's cost under load). Revoking through this process drops the entry at once; a token
 * revoked by another process (another API instance, the CLI) or a user changed in the database keeps working
 * here for at most this long. An entry never outlives the token's own expiry.
 */
export const TOKEN_PRINCIPAL_TTL_MS = 5_000;
/** Bounds the cache's memory; past it the oldest entries go. */
const TOKEN_PRINCIPAL_CACHE_MAX = 10_000;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
// Prefixes make leaked secrets recognisable to secret scanners and to people.
const newSecret = (prefix: string) => `${prefix}_${randomBytes(24).toString('base64url')}`;

export function createUsersService(
  ctx: Pick<Ctx, 'database' | 'config'>,
  accounts: AccountsService,
  /** Tests move the clock past the principal cache's TTL and token expiries. */
  opts: { now?: () => number } = {},
) {
  const repo = usersRepo(ctx.database.db);
  const now = opts.now ?? Date.now;
  /** Token hash → the principal it resolved to and the token id (revocation looks entries up by it). */
  const tokenPrincipals = createTtlCache<{ principal: Principal; tokenId: number }>(TOKEN_PRINCIPAL_CACHE_MAX);

  async function principalFor(
    user: UserRow,
    scopes: readonly Scope[],
    via: Principal['via'],
  ): Promise<Principal | null> {
    if (user.disabled) return null;
    let accountPath: string | null = null;
    if (user.role === 'customer' && user.accountId !== null) {
      const a = await accounts.getInScope({ kind: 'operator' }, user.accountId).catch(() => null);
      accountPath = a?.path ?? null;
    }
    const allowed = new Set(ROLE_SCOPES[user.role as Role]);
    return {
      userId: user.id,
      email: user.email,
      role: user.role as Role,
      scopes: new Set(scopes.filter((s) => allowed.has(s))),
      tenantId: user.tenantId,
      accountId: user.accountId,
      accountPath,
      via,
    };
  }

  return {
    count: () => repo.countAll(),
    byId: (id: number) => repo.findById(id),
    byEmail: (email: string) => repo.findByEmail(email),

    /**
     * For other modules' views of who did something: which of these users a customer may see named — users of
     * their own customer at their account or below (docs/SECURITY.md). Staff, users of accounts above theirs (a
     * reseller acting for its end customer) and unknown ids are not in the set; staff viewers get an empty set
     * (they see every actor anyway).
     */
    async colleaguesAmong(p: Principal, ids: readonly (number | null)[]): Promise<Set<number>> {
      if (isStaff(p) || p.tenantId === null) return new Set();
      const wanted = [...new Set(ids.filter((id): id is number => id !== null && id > 0 && id !== p.userId))];
      const found = await repo.customersAmong(p.tenantId, wanted);
      const reached = await accounts.idsInScope(
        scopeOf(p),
        found.map((u) => u.accountId),
      );
      return new Set(found.filter((u) => reached.has(u.accountId)).map((u) => u.id));
    },

    /** Used by `iotops users create` (no principal: the operator at the console) and by admins via the API. */
    async create(input: CreateUserInput, actor?: Principal): Promise<UserRow> {
      if (actor && !actor.scopes.has('admin')) throw forbidden('users.admin_only', 'Only admins create users');
      let tenantId: number | null = null;
      let accountId: number | null = null;
      let language: string = input.language ?? 'en';
      if (input.role === 'customer') {
        if (input.accountId === undefined) {
          throw invalid(E.accountRequired, 'A customer user needs an account', [
            { field: 'accountId', reason: 'required for role customer' },
          ]);
        }
        const a = await accounts.getInScope(actor ? scopeOf(actor) : { kind: 'operator' }, input.accountId);
        tenantId = a.tenantId;
        accountId = a.id;
        language = input.language ?? a.language;
      } else if (input.accountId !== undefined) {
        throw invalid(E.accountNotAllowed, 'Staff users (admin, agent) belong to no account', [
          { field: 'accountId', value: input.accountId, reason: `not allowed for role ${input.role}` },
        ]);
      }
      try {
        return await repo.insert({
          email: input.email,
          name: input.name,
          passwordHash: await hashPassword(input.password),
          role: input.role,
          tenantId,
          accountId,
          language,
        });
      } catch (e) {
        if (isUniqueViolation(e, 'users_email_uq')) {
          throw conflict(E.emailTaken, `A user with email ${input.email} exists`, [
            { field: 'email', value: input.email, reason: 'already used' },
          ]);
        }
        throw e;
      }
    },

    /** A page of users in id order; nextCursor is the last id when the page is full. */
    async list(actor: Principal, q: ListUsersInput): Promise<{ items: UserRow[]; nextCursor: string | null }> {
      const items = await repo.list(actor.role === 'customer' ? actor.tenantId : null, {
        afterId: q.cursor === undefined ? undefined : Number(q.cursor),
        limit: q.limit,
      });
      const last = items.at(-1);
      return { items, nextCursor: items.length === q.limit && last ? String(last.id) : null };
    },

    /**
     * Admin edits another user: name, language, role between admin and agent, disabled. Disabling ends the
     * user's web sessions at once and drops their tokens from this process's cache; the tokens themselves are
     * kept, refused while the user is disabled (principalFor), so enabling the user again restores their
     * integrations. An admin cannot disable or demote themselves (the desk could be left without an admin).
     */
    async update(actor: Principal, id: number, patch: UpdateUserInput): Promise<UserRow> {
      if (!actor.scopes.has('admin')) throw forbidden('users.admin_only', 'Only admins change users');
      const user = await repo.findById(id);
      if (!user)
        throw notFound(E.userNotFound, `User ${id} not found`, [{ field: 'id', value: id, reason: 'not found' }]);
      if (patch.role !== undefined && patch.role !== user.role) {
        const staff = (r: string) => r === 'admin' || r === 'agent';
        if (!staff(patch.role) || !staff(user.role)) {
          throw invalid(E.roleChangeNotAllowed, `A ${user.role} user cannot become ${patch.role}`, [
            {
              field: 'role',
              value: patch.role,
              reason: 'only admin and agent swap: a customer user belongs to an account, staff to none',
            },
          ]);
        }
      }
      if (actor.userId === id && (patch.disabled === true || (patch.role !== undefined && patch.role !== 'admin'))) {
        const field = patch.disabled === true ? 'disabled' : 'role';
        throw conflict(E.selfLockout, 'You cannot disable or demote yourself; another admin can', [
          { field, value: patch[field], reason: 'would lock the acting admin out' },
        ]);
      }
      const row = await repo.update(id, patch);
      if (!row)
        throw notFound(E.userNotFound, `User ${id} not found`, [{ field: 'id', value: id, reason: 'not found' }]);
      if (patch.disabled === true) await repo.deleteSessionsOf(id);
      // A cached principal carries the old role and enabled state: the next call resolves the token again.
      tokenPrincipals.deleteWhere((e) => e.principal.userId === id);
      return row;
    },

    /** Who a case can be assigned to (GET /api/v1/agents): enabled admins and agents, by name. Staff only. */
    async staff(actor: Principal): Promise<UserRow[]> {
      if (!isStaff(actor)) throw forbidden(E.staffOnly, "Only the provider's staff list the agents");
      return repo.listStaff();
    },

    /** The user if it is an enabled admin or agent (someone a case may be assigned to), else undefined. */
    staffMember: (id: number) => repo.findStaff(id),

    /**
     * A web session for a user whose password was checked (login.service.ts does that, with the throttle and the
     * audit); returns the secret for the cookie.
     */
    async startSession(user: UserRow): Promise<{ secret: string; expiresAt: Date }> {
      const secret = newSecret('ios');
      const expiresAt = new Date(Date.now() + ctx.config.sessionTtlHours * 3_600_000);
      await repo.insertSession(sha256(secret), user.id, expiresAt);
      return { secret, expiresAt };
    },

    /** Needs the current password; ends every web session of the user (tokens are revoked separately). */
    async changePassword(userId: number, current: string, next: string): Promise<void> {
      const user = await repo.findById(userId);
      if (!user || !(await verifyPassword(current, user.passwordHash))) {
        throw forbidden(E.passwordWrong, 'The current password is wrong', [
          { field: 'currentPassword', reason: 'does not match' },
        ]);
      }
      await repo.setPassword(userId, await hashPassword(next));
      await repo.deleteSessionsOf(userId);
    },

    logout: (secret: string) => repo.deleteSession(sha256(secret)),

    async principalFromSession(secret: string): Promise<Principal | null> {
      const user = await repo.sessionUser(sha256(secret), new Date());
      return user ? principalFor(user, ROLE_SCOPES[user.role as Role], 'session') : null;
    },

    async principalFromToken(secret: string): Promise<Principal | null> {
      const hash = sha256(secret);
      const at = now();
      const cached = tokenPrincipals.get(hash, at);
      if (cached) return cached.principal;
      const found = await repo.tokenWithUser(hash, new Date(at));
      if (!found) return null;
      // "Last used" is for people auditing tokens, minute precision is plenty: writing it on every request made
      // one hot row (and one commit) per API call for a busy integration. With the cache it is also only looked at
      // once per TTL, so it may lag by the TTL on top.
      if (!found.token.lastUsedAt || at - found.token.lastUsedAt.getTime() > TOKEN_TOUCH_INTERVAL_MS) {
        await repo.touchToken(found.token.id, new Date(at));
      }
      const principal = await principalFor(found.user, found.token.scopes as Scope[], 'token');
      if (principal) {
        const until = Math.min(
          at + TOKEN_PRINCIPAL_TTL_MS,
          found.token.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY,
        );
        tokenPrincipals.set(hash, { principal, tokenId: found.token.id }, until);
      }
      return principal;
    },

    /** `held`: the scopes of the credential asking (a token never makes a wider one); absent for the CLI. */
    async createToken(userId: number, input: CreateTokenInput, held?: ReadonlySet<Scope>) {
      const user = await repo.findById(userId);
      if (!user) throw notFound(E.userNotFound, `User ${userId} not found`);
      const allowed = new Set(ROLE_SCOPES[user.role as Role]);
      const refused = input.scopes.filter((s) => !allowed.has(s));
      if (refused.length > 0) {
        throw forbidden(E.scopeNotAllowed, `Role ${user.role} cannot hold scope ${refused.join(', ')}`, [
          { field: 'scopes', value: refused, reason: `not allowed for role ${user.role}` },
        ]);
      }
      const wider = held ? input.scopes.filter((s) => !held.has(s)) : [];
      if (wider.length > 0) {
        throw forbidden(E.scopeNotHeld, `This credential does not hold scope ${wider.join(', ')}: it cannot give it`, [
          { field: 'scopes', value: wider, reason: 'not held by the credential making the token' },
        ]);
      }
      const secret = newSecret('iot');
      const token = await repo.insertToken({
        userId,
        name: input.name,
        tokenHash: sha256(secret),
        scopes: [...new Set(input.scopes)],
        expiresAt: input.expiresInDays ? new Date(now() + input.expiresInDays * 86_400_000) : null,
      });
      return { token, secret };
    },

    listTokens: (userId: number) => repo.listTokens(userId),

    /** Admin: another user's live tokens (404 for an unknown user, so an empty list means "none"). */
    async listTokensOf(actor: Principal, userId: number) {
      if (!actor.scopes.has('admin')) throw forbidden('users.admin_only', "Only admins list other users' tokens");
      if (!(await repo.findById(userId))) {
        throw notFound(E.userNotFound, `User ${userId} not found`, [
          { field: 'id', value: userId, reason: 'not found' },
        ]);
      }
      return repo.listTokens(userId);
    },

    /** Admin: revoke another user's token (a leaked integration secret, someone who left). */
    async revokeTokenOf(actor: Principal, userId: number, tokenId: number) {
      if (!actor.scopes.has('admin')) throw forbidden('users.admin_only', "Only admins revoke other users' tokens");
      await this.revokeToken(userId, tokenId);
    },

    async revokeToken(userId: number, id: number) {
      if (!(await repo.revokeToken(userId, id, new Date(now())))) {
        throw notFound(E.tokenNotFound, `Token ${id} not found`, [{ field: 'id', value: id, reason: 'not found' }]);
      }
      tokenPrincipals.deleteWhere((e) => e.tokenId === id);
    },
  };
}
