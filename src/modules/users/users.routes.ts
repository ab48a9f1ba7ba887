import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../../platform/auth.ts';
import type { App } from '../../platform/http/app.ts';
import { principalOf } from '../../platform/http/auth-hooks.ts';
import { ErrorBody } from '../../platform/http/errors.ts';
import { presentAdminUser } from './login.presenter.ts';
import { AdminUserPage } from './login.schemas.ts';
import type { LoginService } from './login.service.ts';
import { presentAgent, presentMe, presentToken, presentUser } from './users.presenter.ts';
import {
  AgentList,
  ChangePasswordBody,
  CreatedTokenView,
  CreateTokenBody,
  CreateUserBody,
  ListUsersQuery,
  LoginBody,
  MeView,
  TokenView,
  UpdateUserBody,
  UserIdParams,
  UserTokenParams,
  UserView,
} from './users.schemas.ts';
import type { UsersService } from './users.service.ts';

export const SESSION_COOKIE = 'iotops_session';

/** Bearer token first (API clients), then the session cookie (web). */
export function principalResolver(users: UsersService) {
  return async (req: FastifyRequest): Promise<Principal | null> => {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      return m ? users.principalFromToken(m[1]!) : null;
    }
    const cookie = req.cookies[SESSION_COOKIE];
    return cookie ? users.principalFromSession(cookie) : null;
  };
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

export function usersRoutes(users: UsersService, logins: LoginService, opts: { cookieSecure: boolean }) {
  return (app: App) => {
    app.post(
      '/api/v1/auth/login',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['auth'],
          operationId: 'login',
          summary: 'Log in',
          description:
            'Checks the email and password and sets the `iotops_session` cookie. Throttled (429 with a ' +
            '`Retry-After` header in seconds): per account, 5 failed logins in a row are free, then each attempt ' +
            'waits 5 s, 10 s, 20 s … up to 15 min (`auth.throttled`), and 20 in a row lock the account for 1 h ' +
            'or until an admin unlocks it (`auth.locked`); per client address, 20 failures are free, then the same ' +
            "waits. A success resets the account's count. Unknown e-mails are counted and answered alike.",
          body: LoginBody,
          response: { 200: UserView, 429: ErrorBody, ...errors },
        },
      },
      async (req, reply) => {
        const { secret, user, expiresAt } = await logins.login(req.body.email, req.body.password, {
          ip: req.ip,
          userAgent: req.headers['user-agent'],
        });
        reply.setCookie(SESSION_COOKIE, secret, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: opts.cookieSecure,
          expires: expiresAt,
        });
        return presentUser(user);
      },
    );
    app.post(
      '/api/v1/auth/logout',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['auth'],
          operationId: 'logout',
          summary: 'Log out',
          description:
            'Ends the web session of the `iotops_session` cookie, if any, and clears the cookie. It needs no body; ' +
            'a malformed one answers 400.',
          response: { 204: z.null(), 400: ErrorBody },
        },
      },
      async (req, reply) => {
        const cookie = req.cookies[SESSION_COOKIE];
        if (cookie) await users.logout(cookie);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.code(204).send(null);
      },
    );
    app.get(
      '/api/v1/auth/me',
      {
        config: { auth: 'read' },
        schema: {
          tags: ['auth'],
          operationId: 'getCurrentUser',
          summary: 'Get the current user',
          description: "The caller's user, with the scopes this call holds and how it authenticated (`via`).",
          response: { 200: MeView, ...errors },
        },
      },
      async (req) => {
        const p = principalOf(req);
        const u = await users.byId(p.userId);
        if (!u) throw new Error('principal without user');
        return presentMe(u, p);
      },
    );
    app.post(
      '/api/v1/auth/password',
      {
        // A change, so the write scope: a read-only token (a dashboard's) must not take over its owner's login.
        config: { auth: 'write' },
        schema: {
          tags: ['auth'],
          operationId: 'changePassword',
          summary: 'Change your password',
          description: 'Ends all your web sessions.',
          body: ChangePasswordBody,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await users.changePassword(principalOf(req).userId, req.body.currentPassword, req.body.newPassword);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.code(204).send(null);
      },
    );
    app.post(
      '/api/v1/users',
      {
        config: { auth: 'admin' },
        schema: {
          tags: ['users'],
          operationId: 'createUser',
          summary: 'Create a user',
          description: 'Admin only.',
          body: CreateUserBody,
          response: { 201: UserView, 409: ErrorBody, ...errors },
        },
      },
      async (req, reply) => reply.code(201).send(presentUser(await users.create(req.body, principalOf(req)))),
    );
    app.get(
      '/api/v1/users',
      {
        config: { auth: 'admin' },
        schema: {
          tags: ['users'],
          operationId: 'listUsers',
          summary: 'List users',
          description:
            "Admin only. Paged in id order: `limit` users (default 100, at most 500); pass the answer's `nextCursor` " +
            'as `cursor` for the next page (null on the last one). Each user with their failed logins in a row and ' +
            'until when a login is refused.',
          querystring: ListUsersQuery,
          response: { 200: AdminUserPage, ...errors },
        },
      },
      async (req) => {
        const page = await users.list(principalOf(req), req.query);
        const locks = await logins.lockStates(page.items);
        return { items: page.items.map((u) => presentAdminUser(u, locks.get(u.id))), nextCursor: page.nextCursor };
      },
    );
    app.patch(
      '/api/v1/users/:id',
      {
        config: { auth: 'admin' },
        schema: {
          tags: ['users'],
          operationId: 'updateUser',
          summary: 'Edit, disable or enable a user',
          description:
            'Admin only. Name, language, role (admin and agent swap; a customer stays a customer) and `disabled`. ' +
            'A disabled user cannot log in, their web sessions end at once and their API tokens are refused ' +
            '(kept, so enabling the user restores them; another API process may accept a token for up to 5 s). ' +
            'An admin cannot disable or demote themselves (409).',
          params: UserIdParams,
          body: UpdateUserBody,
          response: { 200: UserView, 409: ErrorBody, ...errors },
        },
      },
      async (req) => presentUser(await users.update(principalOf(req), req.params.id, req.body)),
    );
    app.get(
      '/api/v1/users/:id/tokens',
      {
        config: { auth: 'admin' },
        schema: {
          tags: ['users'],
          operationId: 'listUserTokens',
          summary: "List a user's API tokens",
          description: 'Admin only. The live (not revoked) tokens of any user; never their secrets.',
          params: UserIdParams,
          response: { 200: z.object({ items: z.array(TokenView) }), ...errors },
        },
      },
      async (req) => ({ items: (await users.listTokensOf(principalOf(req), req.params.id)).map(presentToken) }),
    );
    app.delete(
      '/api/v1/users/:id/tokens/:tokenId',
      {
        config: { auth: 'admin' },
        schema: {
          tags: ['users'],
          operationId: 'revokeUserToken',
          summary: "Revoke a user's API token",
          description: 'Admin only. 404 when the token is not a live token of that user.',
          params: UserTokenParams,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await users.revokeTokenOf(principalOf(req), req.params.id, req.params.tokenId);
        return reply.code(204).send(null);
      },
    );
    app.get(
      '/api/v1/agents',
      {
        config: { auth: 'read' },
        schema: {
          tags: ['users'],
          operationId: 'listAgents',
          summary: 'List the agents',
          description:
            'Staff only: the admins and agents a case can be assigned to (disabled users left out), by name.',
          response: { 200: AgentList, ...errors },
        },
      },
      async (req) => ({ items: (await users.staff(principalOf(req))).map(presentAgent) }),
    );
    app.post(
      '/api/v1/tokens',
      {
        // A new credential is a change: a read-only token makes none (probe round 5: it minted an admin token).
        config: { auth: 'write' },
        schema: {
          tags: ['auth'],
          operationId: 'createToken',
          summary: 'Create an API token',
          description:
            'A Bearer token for the caller; the secret is shown once. Needs `write`; a token may only create tokens ' +
            'with scopes it holds itself (403 tokens.scope_not_held).',
          body: CreateTokenBody,
          response: { 201: CreatedTokenView, ...errors },
        },
      },
      async (req, reply) => {
        const p = principalOf(req);
        const { token, secret } = await users.createToken(p.userId, req.body, p.scopes);
        return reply.code(201).send({ ...presentToken(token), token: secret });
      },
    );
    app.get(
      '/api/v1/tokens',
      {
        config: { auth: 'read' },
        schema: {
          tags: ['auth'],
          operationId: 'listTokens',
          summary: 'List your API tokens',
          response: { 200: z.object({ items: z.array(TokenView) }), ...errors },
        },
      },
      async (req) => ({ items: (await users.listTokens(principalOf(req).userId)).map(presentToken) }),
    );
    app.delete(
      '/api/v1/tokens/:id',
      {
        config: { auth: 'write' },
        schema: {
          tags: ['auth'],
          operationId: 'revokeToken',
          summary: 'Revoke an API token',
          description: "Only the caller's own tokens.",
          params: z.object({ id: z.coerce.number().int().positive() }),
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await users.revokeToken(principalOf(req).userId, req.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
