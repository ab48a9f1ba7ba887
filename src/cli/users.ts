import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { CreateTokenBody, CreateUserBody } from '../modules/users/users.schemas.ts';
import { openContext } from '../open-context.ts';
import { parseOrExit } from './cli-util.ts';

export function registerUsers(program: Command) {
  const users = program.command('users').description('Users of the desk');
  users
    .command('create')
    .description('Create a user (the first admin is made this way)')
    .requiredOption('--email <email>')
    .requiredOption('--password <password>', 'at least 10 characters')
    .option('--name <name>', 'display name (default: the email)')
    .option('--role <role>', 'admin | agent | customer', 'admin')
    .option('--account <number>', 'account number (customers only)')
    .action(async (o: { email: string; password: string; name?: string; role: string; account?: string }) => {
      const { ctx, services } = await openContext(loadConfig());
      try {
        let accountId: number | undefined;
        if (o.account !== undefined) {
          const a = await services.accounts.byNumber({ kind: 'operator' }, o.account);
          if (!a) throw new Error(`--account: no account with number ${o.account}`);
          accountId = a.id;
        }
        const input = parseOrExit(CreateUserBody, {
          email: o.email,
          password: o.password,
          name: o.name ?? o.email,
          role: o.role,
          accountId,
        });
        const u = await services.users.create(input);
        console.log(`user ${u.email} created (id ${u.id}, role ${u.role})`);
      } finally {
        await ctx.database.close();
      }
    });

  users
    .command('unlock')
    .description("Lift a user's login lockout: forget their failed logins so they may log in at once")
    .requiredOption('--email <email>', 'the locked-out user')
    .action(async (o: { email: string }) => {
      const { ctx, services } = await openContext(loadConfig());
      try {
        const user = await services.users.byEmail(o.email);
        if (!user) throw new Error(`--email: no user ${o.email}`);
        // No actor: the operator at the console; the audit records the unlock as `cli`.
        console.log((await services.logins.unlock(null, user.id, null)).message);
      } finally {
        await ctx.database.close();
      }
    });

  const tokens = program.command('tokens').description('API tokens');
  tokens
    .command('create')
    .description('Create an API token for a user; prints the secret once')
    .requiredOption('--email <email>', 'the user the token acts as')
    .option('--name <name>', 'what the token is for', 'cli')
    .option('--scopes <scopes>', 'comma-separated: read,write,ingest,admin', 'read')
    .action(async (o: { email: string; name: string; scopes: string }) => {
      const { ctx, services } = await openContext(loadConfig());
      try {
        const user = await services.users.byEmail(o.email);
        if (!user) throw new Error(`--email: no user ${o.email}`);
        const input = parseOrExit(CreateTokenBody, { name: o.name, scopes: o.scopes.split(',').map((s) => s.trim()) });
        const { secret } = await services.users.createToken(user.id, input);
        console.log(secret);
      } finally {
        await ctx.database.close();
      }
    });
}
