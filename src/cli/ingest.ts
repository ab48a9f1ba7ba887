import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { CreateCredentialInput } from '../modules/ingest/ingest.schemas.ts';
import { openContext } from '../open-context.ts';
import { cliPrincipal } from '../platform/auth.ts';
import { parseOrExit } from './cli-util.ts';

export function registerIngest(program: Command) {
  const creds = program
    .command('ingest-credentials')
    .description('Credentials of network/telemetry producers (MQTT username + password, or HTTP Bearer)');
  creds
    .command('create')
    .description('Create a producer credential; prints the MQTT username and the secret (shown once)')
    .requiredOption('--name <name>', 'the producer (it is the MQTT username), e.g. mediation-1')
    .action(async (o: { name: string }) => {
      const { ctx, services } = await openContext(loadConfig());
      try {
        const input = parseOrExit(CreateCredentialInput, { name: o.name });
        const { credential, secret } = await services.ingest.createCredential(cliPrincipal(), input);
        console.log(`credential ${credential.id} created
  MQTT:  username ${credential.name}  password ${secret}
  HTTP:  Authorization: Bearer ${secret}
(the secret is shown once)`);
      } finally {
        await ctx.database.close();
      }
    });
  creds
    .command('list')
    .description('List producer credentials')
    .action(async () => {
      const { ctx, services } = await openContext(loadConfig());
      try {
        for (const c of await services.ingest.listCredentials())
          console.log(
            `${String(c.id).padStart(4)}  ${c.name.padEnd(30)}  ${c.revokedAt ? 'revoked' : 'active '}  last used ${c.lastUsedAt?.toISOString() ?? 'never'}`,
          );
      } finally {
        await ctx.database.close();
      }
    });
  creds
    .command('revoke')
    .description('Revoke a producer credential (connections using it are refused from now on)')
    .argument('<id>', 'credential id')
    .action(async (id: string) => {
      const { ctx, services } = await openContext(loadConfig());
      try {
        await services.ingest.revokeCredential(Number(id));
        console.log(`credential ${id} revoked`);
      } finally {
        await ctx.database.close();
      }
    });
}
