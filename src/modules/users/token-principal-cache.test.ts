import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { usersRepo } from './users.repo.ts';
import { createUsersService, TOKEN_PRINCIPAL_TTL_MS } from './users.service.ts';

let h: Harness;
let t: Tenant;

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
});
afterAll(() => h.close());

/** A users service of its own (its own cache) on the test database, with a clock the test moves. */
function serviceWithClock(start = Date.now()) {
  const clock = { at: start };
  const users = createUsersService(h.ctx, h.services.accounts, { now: () => clock.at });
  return { users, clock };
}

async function agentToken(users: ReturnType<typeof createUsersService>, expiresInDays?: number) {
  const user = await users.create({
    email: `cache-${uniq()}@example.test`,
    name: 'Cache',
    password: 'correct-horse-battery',
    role: 'agent',
    language: 'en',
  });
  const { token, secret } = await users.createToken(user.id, { name: 'cache', scopes: ['read'], expiresInDays });
  return { user, token, secret };
}

describe('token principal cache', () => {
  it('revoking through the same process ends the token at once, with the principal cached', async () => {
    const { users } = serviceWithClock();
    const { user, token, secret } = await agentToken(users);
    expect((await users.principalFromToken(secret))?.userId).toBe(user.id);
    await users.revokeToken(user.id, token.id);
    expect(await users.principalFromToken(secret)).toBeNull();
  });

  it('a token revoked by another process keeps working here for at most the TTL', async () => {
    const { users, clock } = serviceWithClock();
    const { user, token, secret } = await agentToken(users);
    expect((await users.principalFromToken(secret))?.userId).toBe(user.id);
    // Another API instance or the CLI: the same database, another cache.
    await usersRepo(h.ctx.database.db).revokeToken(user.id, token.id, new Date(clock.at));
    clock.at += TOKEN_PRINCIPAL_TTL_MS - 1;
    expect((await users.principalFromToken(secret))?.userId).toBe(user.id);
    clock.at += 2;
    expect(await users.principalFromToken(secret)).toBeNull();
  });

  it('a cached principal never outlives the token’s expiry', async () => {
    const { users, clock } = serviceWithClock();
    const { user, token, secret } = await agentToken(users, 1);
    const expiry = token.expiresAt!.getTime();
    clock.at = expiry - 1000;
    expect((await users.principalFromToken(secret))?.userId).toBe(user.id);
    clock.at = expiry + 1;
    expect(clock.at - (expiry - 1000)).toBeLessThan(TOKEN_PRINCIPAL_TTL_MS);
    expect(await users.principalFromToken(secret)).toBeNull();
  });

  it('unknown tokens are not cached as valid; last use is still written at most once a minute', async () => {
    const { users, clock } = serviceWithClock();
    expect(await users.principalFromToken(`iot_${uniq()}`)).toBeNull();
    const { user, token, secret } = await agentToken(users);
    await users.principalFromToken(secret);
    const first = (await users.listTokens(user.id)).find((x) => x.id === token.id)?.lastUsedAt;
    expect(first?.getTime()).toBe(clock.at);
    clock.at += TOKEN_PRINCIPAL_TTL_MS + 1; // past the cache, within the minute: no new write
    await users.principalFromToken(secret);
    expect((await users.listTokens(user.id)).find((x) => x.id === token.id)?.lastUsedAt?.getTime()).toBe(
      first?.getTime(),
    );
    clock.at += 60_001;
    await users.principalFromToken(secret);
    expect((await users.listTokens(user.id)).find((x) => x.id === token.id)?.lastUsedAt?.getTime()).toBe(clock.at);
  });

  it('through HTTP: DELETE /api/v1/tokens/{id} answers 401 for the token on the next call (cached before)', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: t.agent,
      payload: { name: 'cached', scopes: ['read'] },
    });
    const auth = { authorization: `Bearer ${created.json().token}` };
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: auth })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: auth })).statusCode).toBe(200);
    const del = await h.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${created.json().id}`, headers: t.agent });
    expect(del.statusCode).toBe(204);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: auth })).statusCode).toBe(401);
  });
});
