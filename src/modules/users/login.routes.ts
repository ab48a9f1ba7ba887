import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { presentAdminUser, presentLoginEvent } from './login.presenter.ts';
import { ListLoginEventsQuery, LoginEventPage, UnlockBody, UnlockResult } from './login.schemas.ts';
import type { LoginService } from './login.service.ts';
import { UserIdParams } from './users.schemas.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

/** The admin's side of login abuse: lifting a lockout, reading the login audit. */
export function loginRoutes(logins: LoginService) {
  return (app: App) => {
    app.post(
      '/api/v1/users/:id/unlock',
      {
        config: { auth: 'admin' },
        schema: {
          tags: ['users'],
          operationId: 'unlockUser',
          summary: "Lift a user's login lockout",
          description:
            "Admin only. Forgets the failed logins of the user's account, so a login is allowed at once (a wait or " +
            "a lock answered 429 before). The audit keeps the failures and records the unlock. The client address's " +
            'own count is not changed. Needs no body (or `{}`).',
          params: UserIdParams,
          body: UnlockBody.nullish().describe('Optional: nothing to send'),
          response: { 200: UnlockResult, ...errors },
        },
      },
      async (req) => {
        const r = await logins.unlock(principalOf(req), req.params.id, {
          ip: req.ip,
          userAgent: req.headers['user-agent'],
        });
        return { user: presentAdminUser(r.user, r.lock), message: r.message };
      },
    );
    app.get(
      '/api/v1/login-events',
      {
        config: { auth: 'admin' },
        schema: {
          tags: ['users'],
          operationId: 'listLoginEvents',
          summary: 'List the login audit',
          description:
            'Admin only. Logins that reached the password check (success, failure, the failure that locked an ' +
            'account) and unlocks, newest first, kept 90 days. Attempts refused by the throttle (429) are not ' +
            "listed one by one. Paged: pass the answer's `nextCursor` as `cursor`.",
          querystring: ListLoginEventsQuery,
          response: { 200: LoginEventPage, ...errors },
        },
      },
      async (req) => {
        const page = await logins.events(principalOf(req), req.query);
        return { items: page.items.map(presentLoginEvent), nextCursor: page.nextCursor };
      },
    );
  };
}
