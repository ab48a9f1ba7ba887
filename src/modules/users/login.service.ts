import { randomBytes } from 'node:crypto';
import type { Principal } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { AppError, forbidden, notFound, rateLimited } from '../../platform/errors.ts';
import { loginRepo } from './login.repo.ts';
import type { ListLoginEventsInput } from './login.schemas.ts';
import {
  ACCOUNT_POLICY,
  ADDRESS_POLICY,
  accountSubject,
  addressSubject,
  type ThrottleState,
  type Verdict,
  verdict,
} from './login-throttle.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { UsersErrors as E } from './users.errors.ts';
import type { UserRow, UsersService } from './users.service.ts';

export type LoginService = ReturnType<typeof createLoginService>;
/** What the audit keeps of the client: its address and (cut) user agent. */
export type LoginClient = { ip: string; userAgent?: string | undefined };
export type LockState = { failedLogins: number; lockedUntil: Date | null };

const EVENT_RETENTION_DAYS = 90;
const USER_AGENT_MAX = 256;
const EMAIL_MAX = 254;
const clip = (s: string | undefined, n: number) => (s === undefined ? null : s.slice(0, n));

export function createLoginService(
  ctx: Pick<Ctx, 'database' | 'log'>,
  deps: { users: Pick<UsersService, 'byEmail' | 'byId' | 'startSession'> },
  /** Tests move the clock past waits and locks. */
  opts: { now?: () => number } = {},
) {
  const repo = loginRepo(ctx.database);
  const now = () => new Date(opts.now?.() ?? Date.now());
  // Unknown and disabled e-mails are checked against this hash, so they cost what a real check costs (no timing
  // tells whether an account exists). Made on first use, not at start: every CLI process builds this service.
  let dummyHash: Promise<string> | undefined;
  const dummy = () => {
    dummyHash ??= hashPassword(randomBytes(16).toString('base64url'));
    return dummyHash;
  };

  function lockState(state: ThrottleState | undefined, at: Date): LockState {
    const v = verdict(ACCOUNT_POLICY, state, at);
    return { failedLogins: v.failures, lockedUntil: v.kind === 'allowed' ? null : v.until };
  }

  /** The 429 for a refused attempt: the account's lock first (an admin can lift it), else the longer wait. */
  function refusal(account: Verdict, address: Verdict, at: Date): AppError {
    const secondsTo = (d: Date) => Math.max(1, Math.ceil((d.getTime() - at.getTime()) / 1000));
    if (account.kind === 'locked') {
      const s = secondsTo(account.until);
      return rateLimited(
        E.loginLocked,
        `This account is locked after ${account.failures} failed logins in a row: try again in ` +
          `${Math.ceil(s / 60)} min or ask an admin to unlock it`,
        s,
        [{ field: 'email', reason: `locked until ${account.until.toISOString()}` }],
      );
    }
    const accountWait = account.kind === 'wait' ? secondsTo(account.until) : 0;
    const addressWait = address.kind === 'allowed' ? 0 : secondsTo(address.until);
    if (accountWait >= addressWait) {
      return rateLimited(
        E.loginThrottled,
        `Too many failed logins for this account: wait ${accountWait} s before trying again`,
        accountWait,
        [{ field: 'email', reason: `${account.failures} failed logins in a row` }],
      );
    }
    return rateLimited(
      E.loginThrottled,
      `Too many failed logins from your address: wait ${addressWait} s before trying again`,
      addressWait,
      [{ reason: `${address.failures} failed logins from this address` }],
    );
  }

  return {
    /**
     * Checks the throttle, then the password, and records the outcome. Every attempt that passes the throttle
     * does the same work whether the e-mail is known, unknown or disabled: one user look-up, one scrypt check,
     * the counters and one audit row. Same 401 for all three.
     */
    async login(email: string, password: string, client: LoginClient) {
      void dummy(); // started early, so the first unknown e-mail does not also pay for making it
      const at = now();
      const account = accountSubject(email);
      const address = addressSubject(client.ip);
      // The address first: a guesser held back there never gets as far as making rows for e-mails.
      const check = await repo.attempt(
        [
          {
            subject: address,
            forgetBefore: new Date(at.getTime() - ADDRESS_POLICY.forgetSeconds * 1000),
            blocked: (s) => verdict(ADDRESS_POLICY, s, at).kind !== 'allowed',
          },
          {
            subject: account,
            forgetBefore: new Date(at.getTime() - ACCOUNT_POLICY.forgetSeconds * 1000),
            blocked: (s) => verdict(ACCOUNT_POLICY, s, at).kind !== 'allowed',
          },
        ],
        at,
      );
      const accountBefore = verdict(ACCOUNT_POLICY, check.states.get(account), at);
      if (!check.allowed) {
        // Not in the audit table (a row per refused request would be a free write for anyone): logs and metrics.
        ctx.log.warn({ email: clip(email, EMAIL_MAX), address }, 'login refused by the throttle');
        throw refusal(accountBefore, verdict(ADDRESS_POLICY, check.states.get(address), at), at);
      }
      const user = await deps.users.byEmail(email);
      const passwordOk = await verifyPassword(password, user?.passwordHash ?? (await dummy()));
      const event = {
        userId: user?.id ?? null,
        email: email.slice(0, EMAIL_MAX),
        address: client.ip,
        userAgent: clip(client.userAgent, USER_AGENT_MAX),
        at,
      };
      if (user && !user.disabled && passwordOk) {
        const session = await deps.users.startSession(user);
        await repo.succeeded(account, address);
        await repo.record({ ...event, outcome: 'success' });
        return { ...session, user };
      }
      const failures = accountBefore.failures + 1;
      const locks = ACCOUNT_POLICY.lockAfter !== null && failures >= ACCOUNT_POLICY.lockAfter;
      const reason = !user ? 'unknown_email' : user.disabled ? 'user_disabled' : 'wrong_password';
      await repo.record({ ...event, outcome: locks ? 'locked' : 'failure', reason });
      throw new AppError('unauthenticated', E.loginFailed, 'Email or password is wrong');
    },

    /** Failed logins in a row and until when logins are refused, per user (admins' user views). */
    async lockStates(users: UserRow[]): Promise<Map<number, LockState>> {
      const at = now();
      const states = await repo.states(users.map((u) => accountSubject(u.email)));
      return new Map(users.map((u) => [u.id, lockState(states.get(accountSubject(u.email)), at)]));
    },

    /**
     * Lifts a user's login wait or lock and forgets their failed logins (the audit keeps them). By an admin
     * (actor) or at the console with the CLI (no actor). Answers what it did, in words the console and CLI show.
     */
    async unlock(actor: Principal | null, userId: number, client: LoginClient | null) {
      if (actor && !actor.scopes.has('admin')) throw forbidden('users.admin_only', 'Only admins unlock users');
      const user = await deps.users.byId(userId);
      if (!user) {
        throw notFound(E.userNotFound, `User ${userId} not found`, [
          { field: 'id', value: userId, reason: 'not found' },
        ]);
      }
      const at = now();
      const before = lockState((await repo.states([accountSubject(user.email)])).get(accountSubject(user.email)), at);
      await repo.clear(accountSubject(user.email));
      await repo.record({
        userId: user.id,
        email: user.email,
        address: client?.ip ?? 'cli',
        userAgent: clip(client?.userAgent, USER_AGENT_MAX),
        outcome: 'unlocked',
        reason: actor ? 'admin' : 'cli',
        byUserId: actor?.userId ?? null,
        at,
      });
      const message =
        before.failedLogins === 0
          ? `${user.email} had no failed logins to forget; they may log in`
          : `${user.email} may log in again: ${before.failedLogins} failed login${before.failedLogins === 1 ? '' : 's'} forgotten` +
            (before.lockedUntil ? ` (was refused until ${before.lockedUntil.toISOString()})` : '');
      return { user, lock: { failedLogins: 0, lockedUntil: null } satisfies LockState, message };
    },

    /** The login audit, newest first. Admins only (customers never see it, not even their own). */
    async events(actor: Principal, q: ListLoginEventsInput) {
      if (!actor.scopes.has('admin')) throw forbidden('users.admin_only', 'Only admins read the login audit');
      const items = await repo.events({
        userId: q.userId,
        outcome: q.outcome,
        ...(q.cursor === undefined ? {} : { beforeId: Number(q.cursor) }),
        limit: q.limit,
      });
      const last = items.at(-1);
      return { items, nextCursor: items.length === q.limit && last ? String(last.id) : null };
    },

    /** Hourly (worker role): audit rows past retention, counters past the longest forget period. */
    prune() {
      const at = now().getTime();
      const quiet = Math.max(ACCOUNT_POLICY.forgetSeconds, ADDRESS_POLICY.forgetSeconds) * 1000;
      return repo.prune(new Date(at - EVENT_RETENTION_DAYS * 86_400_000), new Date(at - quiet));
    },
  };
}
