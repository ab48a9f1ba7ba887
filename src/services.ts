import { createAccountsService } from './modules/accounts/accounts.service.ts';
import { createCatalogService } from './modules/catalog/catalog.service.ts';
import { createPlmnsService } from './modules/plmns/plmns.service.ts';
import { createExportService } from './modules/sims/import/export.service.ts';
import { createImportService } from './modules/sims/import/import.service.ts';
import { createSimsService } from './modules/sims/sims.service.ts';
import { createUsersService } from './modules/users/users.service.ts';
import type { Ctx } from './platform/context.ts';

/** The composition root: every service built once, each given only what it depends on. */
export function buildServices(ctx: Ctx) {
  const accounts = createAccountsService(ctx);
  const users = createUsersService(ctx, accounts);
  const catalog = createCatalogService(ctx, accounts);
  const plmns = createPlmnsService();
  const simImports = createImportService(ctx, { accounts, catalog });
  const simExports = createExportService(ctx, { accounts });
  const sims = createSimsService(ctx, { accounts, catalog });
  return { accounts, users, catalog, plmns, simImports, simExports, sims };
}

export type Services = ReturnType<typeof buildServices>;
