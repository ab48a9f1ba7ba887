/** Every table of every module, for Drizzle's relational API and drizzle-kit. */
import * as accounts from '../../modules/accounts/accounts.tables.ts';
import * as catalog from '../../modules/catalog/catalog.tables.ts';
import * as sims from '../../modules/sims/sims.tables.ts';
import * as users from '../../modules/users/users.tables.ts';

export const schema = { ...accounts, ...catalog, ...sims, ...users };
