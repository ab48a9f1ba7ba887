import { createAccountsService } from './modules/accounts/accounts.service.ts';
import { createCatalogService } from './modules/catalog/catalog.service.ts';
import { createPlmnsService } from './modules/plmns/plmns.service.ts';
import { createUsersService } from './modules/users/users.service.ts';
import type { Ctx } from './platform/context.ts';

/** The composition root: every service built once, each given only what it depends on. */
export function buildServices(ctx: Ctx) {
  const accounts = createAccountsService(ctx);
  const users = createUsersService(ctx, accounts);
  const catalog = createCatalogService(ctx, accounts);
  const plmns = createPlmnsService();
  return { accounts, users, catalog, plmns };
}

export type Services = ReturnType<typeof buildServices>;
