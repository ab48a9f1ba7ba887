import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * The one place that reads the environment. Every setting is documented here and in the README;
 * defaults run with no infrastructure (embedded PGlite in ./data).
 */
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080).describe('HTTP port of the desk'),
  HOST: z.string().default('127.0.0.1').describe('HTTP listen address'),
  IOTOPS_DATA_DIR: z
    .string()
    .default('./data')
    .describe('Embedded data directory (PGlite database lives in <dir>/pglite)'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional()
    .describe('PostgreSQL URL; when set, replaces embedded PGlite'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10).describe('pg pool size'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: z
    .enum(['0', '1', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true')
    .describe('Human-readable logs on stdout'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576).describe('Max JSON request body'),
  IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(2 * 1024 * 1024 * 1024)
    .describe('Max streamed SIM import body (CSV)'),
  BODY_IDLE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(600_000)
    .default(30_000)
    .describe(
      'A request body that stops arriving for this long is refused (408; a streamed SIM import fails and frees the database)',
    ),
  ATTACHMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024)
    .describe('Max case attachment (one file, held in memory and stored in the database)'),
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).default(12).describe('Web session lifetime'),
  COOKIE_SECURE: z
    .enum(['0', '1', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true')
    .describe('Mark the session cookie Secure (set behind HTTPS)'),
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim().replace(/\/+$/, ''))
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/ })))
    .describe(
      "Origins besides the server's own host that may send state-changing requests with the session cookie " +
        '(comma-separated, e.g. https://desk.example.com behind a proxy that rewrites Host)',
    ),
  TRUST_PROXY: z
    .string()
    .default('')
    .transform((v, ctx) => parseTrustProxy(v, ctx))
    .describe(
      'Reverse proxies whose X-Forwarded-For / -Host / -Proto are believed (comma-separated addresses or CIDRs, ' +
        'loopback, linklocal, uniquelocal): the login throttle then counts the client behind ' +
        'the proxy, not the proxy. Empty: the headers are ignored',
    ),
  METRICS_TOKEN: z
    .string()
    .default('')
    .refine((v) => v === '' || v.length >= 16, 'at least 16 characters (it guards the desk’s internals)')
    .describe(
      'Bearer token Prometheus sends to /metrics (Authorization: Bearer …). Empty: /metrics answers only to ' +
        'loopback peers, and only when TRUST_PROXY is empty (behind a proxy every request looks local)',
    ),
  WEBHOOK_ALLOW_HTTP: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('true: webhook subscriptions may target plain http:// URLs (default: https only)'),
  WEBHOOK_ALLOW_CIDRS: z
    .string()
    .default('')
    .describe(
      'Private, loopback or link-local addresses webhooks may still reach (comma-separated CIDRs, e.g. 10.20.0.0/16 ' +
        'for an in-house receiver). Empty: webhooks reach public addresses only (no server-side request forgery)',
    ),
  WEBHOOK_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(60_000)
    .default(10_000)
    .describe('How long a webhook receiver has to answer one delivery attempt'),
  JOB_POLL_MS: z.coerce
    .number()
    .int()
    .min(50)
    .max(60_000)
    .default(1000)
    .describe('How often the worker role polls the job queue (SLA timers, verification period), in ms'),
  JOB_BATCH: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(100)
    .describe('How many due jobs a worker claims and runs at once (event subscribers, webhook deliveries, SLA timers)'),
  JOB_LEASE_SECONDS: z.coerce
    .number()
    .int()
    .min(5)
    .max(86_400)
    .default(300)
    .describe(
      'How long a claimed job belongs to its worker: a job of a worker that died is run again after this (on PostgreSQL; the embedded database re-runs it at restart)',
    ),
  JOB_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .default(7)
    .describe('Finished jobs are deleted after this many days (failed-for-good ones are kept)'),
  EVENT_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(24)
    .describe(
      'Dispatched domain events and the finished jobs of their subscribers are deleted after this many hours ' +
        '(one event per ingest batch adds up); a dead job is kept',
    ),
  CASE_QUEUE_CACHE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(1000)
    .describe(
      'Reuse an agent-queue page (same caller scope, filter, cursor) at most this long, in ms; dropped at once on any case change in any process; 0 = off',
    ),
  INGEST_BATCH_MAX: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(5000)
    .describe('Most ingest records written in one transaction (network events and telemetry together)'),
  INGEST_LINGER_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(1000)
    .default(5)
    .describe('How long the ingest writer waits for more records before writing a batch that is not full, in ms'),
  INGEST_QUEUE_MAX: z.coerce
    .number()
    .int()
    .min(100)
    .default(3000)
    .describe(
      'Ingest records waiting for their write before producers are paused (backpressure: bounds memory, ~5 KB of heap per waiting MQTT message, and the wait; the rest waits in the broker). Every waiting message outlives young-generation GCs: at 10,000 garbage collection took a quarter of the ingest process and p99 publish→state passed 1 s near capacity (bench:ingest)',
    ),
  INGEST_WRITERS: z.coerce
    .number()
    .int()
    .min(1)
    .max(16)
    .default(2)
    .describe('Ingest write lanes on PostgreSQL (batches written at once, each SIM always on the same lane)'),
  INGEST_EVENTS: z
    .enum(['on', 'off'])
    .default('on')
    .describe(
      'on: each committed ingest batch that changed SIMs’ network status or stored refusals emits one ingest.batch_committed event (docs/EVENTS.md); off: none (what bench:ingest --events compares: throughput with the event and its subscriber against without)',
    ),
  NETWORK_EVENT_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(90)
    .describe('Network events, telemetry and ingest errors older than this many days are deleted (whole days)'),
  IOTOPS_SMTP_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(2525)
    .describe('Port of the SMTP intake (mail role; listens on HOST; 0 takes a free port)'),
  MAIL_ADDRESSES: z
    .string()
    .default('support@iotops.localhost=support')
    .transform(parseMailAddresses)
    .describe(
      'Addresses the intake accepts, each with its queue: support@desk.example=support,billing@desk.example=billing (plus-addresses such as support+C-2026-000123@ included)',
    ),
  MAIL_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(26_214_400)
    .describe('Largest message the intake accepts (SIZE; a bigger one gets 552)'),
  MAIL_PARTNERS: z
    .string()
    .default('[]')
    .transform(parseMailPartners)
    .describe(
      'Partner providers whose ticketing mail joins the case holding their ticket number (JSON): [{"provider":"Telia","domains":["telia.example"],"ticket":"INC\\\\d{6,}"}]',
    ),
  MAIL_SENDER_LIMIT_PER_HOUR: z.coerce
    .number()
    .int()
    .min(1)
    .default(30)
    .describe('Mails one sender may send in an hour before the rest wait in triage (a mail storm or a loop)'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'smtp://user:pass@relay:587 or smtps://…:465')
    .optional()
    .describe('The SMTP relay outbound mail leaves through; without it mail waits in the outbox as held'),
  MAIL_FROM: z
    .string()
    .trim()
    .regex(
      /^[^\r\n<>]{0,100}<?[^\s@<>]+@[^\s@<>]+>?$/,
      'an address, optionally with a name: Support <support@desk.example>',
    )
    .optional()
    .describe('From of outbound mail (default: the first MAIL_ADDRESSES address); replies come to its plus-address'),
  IMAP_URL: z
    .string()
    .optional()
    .transform((v, ctx) => (v === undefined || v === '' ? undefined : parseImapUrl(v, ctx)))
    .describe(
      'A mailbox the mail role polls besides its SMTP intake (IDLE, and every IMAP_POLL_SECONDS): imap://user:pass@host:143/INBOX or imaps://user:pass@host:993/INBOX (user and password URL-encoded; the path names the mailbox, default INBOX). Its unseen messages are stored, then flagged \\Seen',
    ),
  IMAP_ADDRESS: z
    .email()
    .transform((v) => v.toLowerCase())
    .optional()
    .describe(
      "The address mail in the IMAP_URL mailbox was sent to (its envelope recipient; the queue is that address's in MAIL_ADDRESSES, else support). Default: the first MAIL_ADDRESSES address",
    ),
  IMAP_POLL_SECONDS: z.coerce
    .number()
    .int()
    .min(5)
    .max(3600)
    .default(60)
    .describe(
      'How often the IMAP_URL mailbox is searched for unseen mail besides IDLE (a server without IDLE, or an IDLE that died silently)',
    ),
  SMTP_TLS_CERT: z.string().optional().describe('PEM certificate file: the intake offers STARTTLS'),
  SMTP_TLS_KEY: z.string().optional().describe('PEM key file of SMTP_TLS_CERT'),
  IOTOPS_MQTT_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(1883)
    .describe('Port of the embedded MQTT 3.1.1 broker (ingest role; listens on HOST); not used when MQTT_URL is set'),
  MQTT_URL: z
    .string()
    .regex(/^(mqtts?|tcp|ssl|wss?):\/\//, 'must start with mqtt://, mqtts://, tcp://, ssl://, ws:// or wss://')
    .optional()
    .describe(
      'External MQTT 5 broker (e.g. mqtt://user:pass@broker:1883); when set, no embedded broker: iotops consumes its ingest topics with a shared subscription',
    ),
  MQTT_SHARE_GROUP: z
    .string()
    .regex(/^[^/#+]+$/, 'must not contain / # or +')
    .default('iotops')
    .describe('Shared-subscription group on the external broker: the iotops processes of one group split the stream'),
  MQTT_CONSUMERS: z.coerce
    .number()
    .int()
    .min(1)
    .max(256)
    .default(64)
    .describe(
      'Connections this process opens to the external broker (one shared-subscription member each): a broker sends each at most its in-flight window before our PUBACKs, which wait for the commit; at 16 the window, not the database, capped throughput (bench:ingest)',
    ),
  MQTT_CLIENT_ID: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe(
      'Client id (persistent session) on the external broker; default iotops-<hostname>. Must be stable across restarts and different for every process',
    ),
  NETWORK_ADAPTER: z
    .enum(['simulated', 'none'])
    .default('simulated')
    .describe(
      'Where network actions (connectivity reset, configuration SMS, subscription updates) go: simulated = the fleet simulator (embedded setup); none = refused with the reason. See docs/NETWORK-ADAPTER.md',
    ),
  CAPACITY_LEAD_TIME_DAYS: z.coerce
    .number()
    .min(0.5)
    .max(60)
    .default(3.5)
    .describe(
      'Days a capacity order takes to fulfil: a link forecast to saturate sooner gets an upgrade proposal (an order case)',
    ),
  CAPACITY_SATURATION_PCT: z.coerce
    .number()
    .min(50)
    .max(100)
    .default(90)
    .describe("The daily p95 link utilisation (%) at which a link counts as saturated (the forecasts' threshold)"),
  CAPACITY_HISTORY_DAYS: z.coerce
    .number()
    .int()
    .min(14)
    .max(365)
    .default(56)
    .describe(
      'Days of link utilisation a capacity forecast learns from (at most NETWORK_EVENT_RETENTION_DAYS are kept)',
    ),
  CAPACITY_RUN_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(1440)
    .default(60)
    .describe('How often the worker refreshes the capacity forecasts (and opens the proposals they call for)'),
  IOTOPS_DEMO: z
    .enum(['auto', 'off'])
    .default('auto')
    .describe('auto: seed the demo provider when the database is empty at `npm start`'),
  IOTOPS_SIMULATE: z
    .enum(['on', 'off'])
    .default('on')
    .describe(
      'on: `npm start` runs the fleet simulator on the demo SIMs (real-time traffic with the faults of examples/scenarios/demo.json); off: no traffic. `--simulate`/`--no-simulate` override it',
    ),
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  poolSize: number;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  logPretty: boolean;
  bodyLimit: number;
  importMaxBytes: number;
  bodyIdleTimeoutMs: number;
  jobBatch: number;
  jobLeaseMs: number;
  metricsToken: string;
  webhookAllowHttp: boolean;
  webhookAllowCidrs: string;
  webhookTimeoutMs: number;
  attachmentMaxBytes: number;
  sessionTtlHours: number;
  cookieSecure: boolean;
  allowedOrigins: string[];
  /** Fastify's trustProxy: false or the proxies' addresses. */
  trustProxy: false | string[];
  demo: 'auto' | 'off';
  simulate: 'on' | 'off';
  jobPollMs: number;
  jobRetentionDays: number;
  eventRetentionHours: number;
  caseQueueCacheMs: number;
  ingestBatchMax: number;
  ingestLingerMs: number;
  ingestQueueMax: number;
  ingestWriters: number;
  ingestEvents: boolean;
  retentionDays: number;
  smtpPort: number;
  /** Accepted recipient address (lower-case, without a +tag) → queue. */
  mailAddresses: Map<string, string>;
  mailMaxBytes: number;
  mailPartners: MailPartner[];
  mailSenderLimitPerHour: number;
  smtpUrl: string | undefined;
  /** From of outbound mail: its address and display name. */
  mailFrom: { name: string; address: string };
  smtpTls: { cert: string; key: string } | undefined;
  /** The polled mailbox (IMAP_URL), if any. */
  imapMailbox: ImapMailbox | undefined;
  /** IMAP_ADDRESS (lower case); the poller falls back to the first MAIL_ADDRESSES address. */
  imapAddress: string | undefined;
  imapPollSeconds: number;
  mqttPort: number;
  mqttUrl: string | undefined;
  mqttShareGroup: string;
  mqttClientId: string;
  mqttConsumers: number;
  networkAdapter: 'simulated' | 'none';
  capacity: { leadTimeDays: number; saturationPct: number; historyDays: number; runEveryMinutes: number };
};

export class ConfigError extends Error {}

/** MAIL_ADDRESSES: `address=queue` pairs, comma-separated. */
function parseMailAddresses(raw: string, ctx: z.RefinementCtx): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([^\s@=+]+)@([^\s@=]+)=([a-z0-9_-]{1,64})$/i.exec(pair);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `"${pair}": expected address=queue, e.g. support@desk.example=support` });
      continue;
    }
    out.set(`${m[1]}@${m[2]}`.toLowerCase(), m[3]!);
  }
  if (out.size === 0) ctx.addIssue({ code: 'custom', message: 'at least one address=queue' });
  return out;
}

/** MAIL_FROM as name and address; by default the first accepted address, named after the desk. */
function mailFromOf(raw: string | undefined, addresses: Map<string, string>): { name: string; address: string } {
  if (raw === undefined) return { name: 'iotops support', address: [...addresses.keys()][0]! };
  const m = /^(.*?)\s*<([^<>]+)>$/.exec(raw);
  return m
    ? { name: m[1]!.replace(/^"|"$/g, ''), address: m[2]!.toLowerCase() }
    : { name: '', address: raw.toLowerCase() };
}

/** A mailbox on an IMAP server, from IMAP_URL. */
export type ImapMailbox = { secure: boolean; host: string; port: number; user: string; pass: string; mailbox: string };

/** IMAP_URL: imap:// (STARTTLS when offered) or imaps:// (TLS), credentials in the URL, the mailbox as its path. */
function parseImapUrl(raw: string, ctx: z.RefinementCtx): ImapMailbox | undefined {
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return undefined;
  };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail('not a URL: expected imap://user:pass@host:143/INBOX or imaps://user:pass@host:993/INBOX');
  }
  if (url.protocol !== 'imap:' && url.protocol !== 'imaps:') return fail('must start with imap:// or imaps://');
  if (url.hostname === '') return fail('names no host: imap://user:pass@host:143/INBOX');
  if (url.username === '' || url.password === '')
    return fail('names no user and password: imap://user:pass@host:143/INBOX (URL-encode @ : / in them)');
  if (url.search !== '' || url.hash !== '') return fail('takes no ?query or #fragment: the path names the mailbox');
  let user: string;
  let pass: string;
  let mailbox: string;
  try {
    user = decodeURIComponent(url.username);
    pass = decodeURIComponent(url.password);
    mailbox = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'INBOX';
  } catch {
    return fail('has a malformed %-escape in its user, password or mailbox');
  }
  const secure = url.protocol === 'imaps:';
  return {
    secure,
    // URL keeps the brackets of an IPv6 literal; the socket wants the bare address.
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (secure ? 993 : 143) : Number(url.port),
    user,
    pass,
    mailbox,
  };
}

/** A partner provider's ticketing system: mail from its domains naming `ticket` joins the case holding it. */
export type MailPartner = { provider: string; domains: string[]; ticket: RegExp };

const MailPartnerEntry = z
  .object({
    provider: z.string().trim().min(1).max(100),
    domains: z
      .array(
        z
          .string()
          .trim()
          .toLowerCase()
          .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'a mail domain such as telia.example'),
      )
      .min(1)
      .max(20),
    ticket: z.string().min(1).max(200),
  })
  .strict();

/** MAIL_PARTNERS: a JSON array of MailPartnerEntry; each ticket pattern must compile. */
function parseMailPartners(raw: string, ctx: z.RefinementCtx): MailPartner[] {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `not JSON: ${(e as Error).message}` });
    return [];
  }
  const parsed = z.array(MailPartnerEntry).max(100).safeParse(json);
  if (!parsed.success) {
    for (const i of parsed.error.issues)
      ctx.addIssue({ code: 'custom', message: `${i.path.join('.') || 'the list'}: ${i.message}` });
    return [];
  }
  return parsed.data.flatMap((p, i) => {
    try {
      return [{ provider: p.provider, domains: p.domains, ticket: new RegExp(p.ticket) }];
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `${i}.ticket: ${(e as Error).message}` });
      return [];
    }
  });
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY is deliberately not a boolean: trusting X-Forwarded-For from every peer lets any client name its own
 * address and so escape the per-address login throttle; Fastify treats a hop count as trusting no one. The operator
 * names the proxies.
 */
function parseTrustProxy(raw: string, ctx: z.RefinementCtx): false | string[] {
  const v = raw.trim();
  if (v === '' || v === 'false' || v === '0') return false;
  if (/^(true|\d+)$/.test(v))
    ctx.addIssue({
      code: 'custom',
      message:
        "name the proxies' addresses (e.g. 127.0.0.1 or 10.0.0.0/8): trusting every peer, or a hop count that cannot tell a proxy from a client, would let any client choose its own address",
    });
  const entries = v.split(',').map((e) => e.trim());
  for (const entry of entries) {
    if (PROXY_NAMES.has(entry)) continue;
    const [ip, prefix, ...rest] = entry.split('/');
    const family = isIP(ip ?? '');
    const max = family === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= max);
    if (family === 0 || !prefixOk || rest.length > 0)
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(entry)} is not an IP address, a CIDR or one of loopback, linklocal, uniquelocal`,
      });
  }
  return entries;
}

/** The value as the error shows it: a URL's password (IMAP_URL, DATABASE_URL, MQTT_URL) never reaches a log. */
function withoutPassword(value: string | undefined): string | undefined {
  if (value === undefined || !URL.canParse(value)) return value;
  const url = new URL(value);
  if (url.password === '') return value;
  url.password = '***';
  return url.toString();
}

/** Parse and validate; throws one error listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? '?');
      return `  ${name}=${JSON.stringify(withoutPassword(env[name]))}: ${i.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if ((e.SMTP_TLS_CERT === undefined) !== (e.SMTP_TLS_KEY === undefined))
    throw new ConfigError('Invalid configuration:\n  SMTP_TLS_CERT and SMTP_TLS_KEY: set both (STARTTLS) or neither');
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.IOTOPS_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    poolSize: e.DATABASE_POOL_SIZE,
    logLevel: e.LOG_LEVEL,
    logPretty: e.LOG_PRETTY,
    bodyLimit: e.BODY_LIMIT_BYTES,
    importMaxBytes: e.IMPORT_MAX_BYTES,
    bodyIdleTimeoutMs: e.BODY_IDLE_TIMEOUT_MS,
    jobBatch: e.JOB_BATCH,
    jobLeaseMs: e.JOB_LEASE_SECONDS * 1000,
    metricsToken: e.METRICS_TOKEN,
    webhookAllowHttp: e.WEBHOOK_ALLOW_HTTP,
    webhookAllowCidrs: e.WEBHOOK_ALLOW_CIDRS,
    webhookTimeoutMs: e.WEBHOOK_TIMEOUT_MS,
    attachmentMaxBytes: e.ATTACHMENT_MAX_BYTES,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    cookieSecure: e.COOKIE_SECURE,
    allowedOrigins: e.ALLOWED_ORIGINS,
    trustProxy: e.TRUST_PROXY,
    caseQueueCacheMs: e.CASE_QUEUE_CACHE_MS,
    demo: e.IOTOPS_DEMO,
    simulate: e.IOTOPS_SIMULATE,
    jobPollMs: e.JOB_POLL_MS,
    jobRetentionDays: e.JOB_RETENTION_DAYS,
    eventRetentionHours: e.EVENT_RETENTION_HOURS,
    ingestBatchMax: e.INGEST_BATCH_MAX,
    ingestLingerMs: e.INGEST_LINGER_MS,
    ingestQueueMax: e.INGEST_QUEUE_MAX,
    ingestWriters: e.INGEST_WRITERS,
    ingestEvents: e.INGEST_EVENTS === 'on',
    retentionDays: e.NETWORK_EVENT_RETENTION_DAYS,
    smtpPort: e.IOTOPS_SMTP_PORT,
    mailAddresses: e.MAIL_ADDRESSES,
    mailMaxBytes: e.MAIL_MAX_BYTES,
    mailPartners: e.MAIL_PARTNERS,
    mailSenderLimitPerHour: e.MAIL_SENDER_LIMIT_PER_HOUR,
    smtpUrl: e.SMTP_URL,
    mailFrom: mailFromOf(e.MAIL_FROM, e.MAIL_ADDRESSES),
    smtpTls: e.SMTP_TLS_CERT && e.SMTP_TLS_KEY ? { cert: e.SMTP_TLS_CERT, key: e.SMTP_TLS_KEY } : undefined,
    imapMailbox: e.IMAP_URL,
    imapAddress: e.IMAP_ADDRESS,
    imapPollSeconds: e.IMAP_POLL_SECONDS,
    mqttPort: e.IOTOPS_MQTT_PORT,
    mqttUrl: e.MQTT_URL,
    mqttShareGroup: e.MQTT_SHARE_GROUP,
    mqttClientId: e.MQTT_CLIENT_ID ?? `iotops-${os.hostname()}`,
    mqttConsumers: e.MQTT_CONSUMERS,
    networkAdapter: e.NETWORK_ADAPTER,
    capacity: {
      leadTimeDays: e.CAPACITY_LEAD_TIME_DAYS,
      saturationPct: e.CAPACITY_SATURATION_PCT,
      historyDays: e.CAPACITY_HISTORY_DAYS,
      runEveryMinutes: e.CAPACITY_RUN_MINUTES,
    },
  };
}

/** For the README table: name, default, description of every variable. */
export function describeConfig(): { name: string; description: string }[] {
  return Object.entries(Env.shape).map(([name, schema]) => ({ name, description: schema.description ?? '' }));
}
