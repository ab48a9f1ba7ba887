import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { CreateSubscriptionBody } from '../modules/webhooks/webhooks.schemas.ts';
import { openContext } from '../open-context.ts';
import { cliPrincipal } from '../platform/auth.ts';
import { parseOrExit } from './cli-util.ts';

/**
 * `iotops webhooks …`: the provider's side of outbound webhooks from scripts (docs/WEBHOOKS.md). It acts as staff,
 * like every CLI command; customers manage theirs in the portal or the API.
 */
export function registerWebhooks(program: Command) {
  const webhooks = program.command('webhooks').description('Outbound webhook subscriptions and their delivery log');
  const withServices = async <T>(fn: (s: Awaited<ReturnType<typeof openContext>>['services']) => Promise<T>) => {
    const { ctx, services } = await openContext(loadConfig());
    try {
      return await fn(services);
    } finally {
      await ctx.database.close();
    }
  };

  webhooks
    .command('create')
    .description('Subscribe a URL; prints the signing secret (shown once)')
    .requiredOption('--url <url>', 'https:// URL the messages are POSTed to')
    .option('--events <types>', "comma-separated event types, or '*' for all", '*')
    .option('--account <id>', "a customer account's id: its events and its sub-accounts' (default: provider-wide)")
    .option('--description <text>', 'what it is for', '')
    .action(async (o: { url: string; events: string; account?: string; description: string }) => {
      const input = parseOrExit(CreateSubscriptionBody, {
        url: o.url,
        eventTypes: o.events.split(',').map((t) => t.trim()),
        description: o.description,
        ...(o.account === undefined ? {} : { accountId: Number(o.account) }),
      });
      const s = await withServices((svc) => svc.webhooks.create(cliPrincipal(), input));
      console.log(`subscription ${s.id} created: ${s.url} (${s.eventTypes.join(', ')})
  secret ${s.secret}
(the secret is shown once; verify messages with it, docs/WEBHOOKS.md)`);
    });

  webhooks
    .command('list')
    .description('List subscriptions')
    .action(async () => {
      const rows = await withServices((svc) => svc.webhooks.list(cliPrincipal()));
      for (const s of rows)
        console.log(
          `${String(s.id).padStart(4)}  ${s.enabled ? 'enabled ' : 'disabled'}  ${(s.accountId === null ? 'provider-wide' : `account ${s.accountId}`).padEnd(14)}  ${s.url}  ${s.eventTypes.join(',')}${s.disabledReason ? `  (${s.disabledReason})` : ''}`,
        );
    });

  webhooks
    .command('deliveries')
    .description('The newest messages of a subscription, with their state and last answer')
    .argument('<id>', 'subscription id')
    .option('--limit <n>', 'how many', '20')
    .action(async (id: string, o: { limit: string }) => {
      const page = await withServices((svc) =>
        svc.webhooks.deliveries(cliPrincipal(), Number(id), { limit: Number(o.limit) }),
      );
      for (const d of page.items)
        console.log(
          `${String(d.id).padStart(6)}  ${d.createdAt.toISOString()}  ${d.eventType.padEnd(20)}  ${d.status.padEnd(9)}  attempts ${d.attempts}  last ${d.lastStatusCode ?? d.lastError ?? '-'}`,
        );
    });

  webhooks
    .command('redeliver')
    .description('Send a message again now (same body and webhook-id)')
    .argument('<id>', 'subscription id')
    .argument('<deliveryId>', 'delivery id (from `deliveries`)')
    .action(async (id: string, deliveryId: string) => {
      const d = await withServices((svc) => svc.webhooks.redeliver(cliPrincipal(), Number(id), Number(deliveryId)));
      console.log(`delivery ${d.id} queued again (the worker of a running server sends it)`);
    });

  webhooks
    .command('test')
    .description('Queue a webhook.test message to a subscription')
    .argument('<id>', 'subscription id')
    .action(async (id: string) => {
      const d = await withServices((svc) => svc.webhooks.test(cliPrincipal(), Number(id)));
      console.log(`test message ${d.messageId} queued as delivery ${d.id}`);
    });
}
