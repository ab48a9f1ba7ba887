/**
 * `npm run bench:mail [-- --messages N --senders S --contacts K] [--split]`: inbound mail (issue 15, Performance).
 * On a fresh PostgreSQL database (bench/db.ts), one customer account with K contacts, the SMTP intake
 * (src/modules/mail/smtp-intake.ts) and the real worker (parse, thread, the outbound notices) in this process:
 *  1. iotops: S concurrent SMTP connections (nodemailer, pooled) send N mails; each contact's first mail opens a case,
 *     the others answer it (In-Reply-To: the first mail's Message-ID), as most desk mail concerns open cases. Timed
 *     from the first send until every mail is stored, parsed and threaded: messages/s;
 *  2. baseline, same run: the same senders send the same mails to a bare smtp-server sink that only accepts:
 *     messages/s. Goals: ≥ 300 messages/s, and ≥ 0.5× the sink.
 * `--worker-process`: the worker runs in its own process (`iotops serve --roles worker`), as a desk that splits
 * its roles runs it, instead of beside the intake in this one.
 * Prints the figures and whether the goals are met; a miss does not fail the run. CI runs `bench:mail:smoke`.
 */
import { spawn } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../src/config.ts';
import { startWorker } from '../src/jobs.ts';
import { startSmtpIntake } from '../src/modules/mail/smtp-intake.ts';
import { cliPrincipal } from '../src/platform/auth.ts';
import { createLogger } from '../src/platform/log.ts';
import { createMetrics } from '../src/platform/metrics.ts';
import { buildServices } from '../src/services.ts';
import { hasFlag, numArg } from './args.ts';
import { benchDatabase } from './db.ts';

const N = numArg('--messages', 3000);
const SENDERS = numArg('--senders', 16);
const K = numArg('--contacts', 50);
const SPLIT = hasFlag('--split');
const WORKER_PROCESS = hasFlag('--worker-process');

const { database, url, finish } = await benchDatabase('mail', { poolSize: 12 });
const config = {
  ...loadConfig({ LOG_LEVEL: 'silent' }),
  host: '127.0.0.1',
  smtpPort: 0,
  mailAddresses: new Map([['support@desk.bench', 'support']]),
  // One sender writes many mails here: the storm guard is for real storms.
  mailSenderLimitPerHour: 1_000_000,
};
const ctx = { config, database, log: createLogger(config), metrics: createMetrics() };
const services = buildServices(ctx);
const staff = cliPrincipal('bench');

const account = await services.accounts.create(staff, {
  number: `BENCH-MAIL-${process.pid}`,
  name: 'Bench customer',
  vipTier: 'standard',
  language: 'en',
  timeZone: 'UTC',
  country: 'SE',
});
const contacts: string[] = [];
for (let i = 0; i < K; i++) {
  const email = `meter-team-${i}@customer.bench`;
  await services.accounts.addContact(staff, account.id, { name: `Team ${i}`, email, roles: [] });
  contacts.push(email);
}

/** The N mails, as senders write them: contact i's first mail opens its case, the rest answer it. */
const body = 'Since 08:00 the meters of substation 4 send no data. APN iot.customer, 40 SIMs.\n'.repeat(8);
const mails = Array.from({ length: N }, (_, i) => {
  const from = contacts[i % K]!;
  const first = `<first-${i % K}-${process.pid}@customer.bench>`;
  const isFirst = i < K;
  return {
    from,
    to: 'support@desk.bench',
    subject: isFirst ? `Meters silent at substation ${i}` : `Re: Meters silent at substation ${i % K}`,
    text: body,
    messageId: isFirst ? first : `<m-${i}-${process.pid}@customer.bench>`,
    ...(isFirst ? {} : { inReplyTo: first, references: [first] }),
  };
});

/** Sends every mail over S pooled connections; the first K (the cases' first mails) go before the others. */
async function sendAll(port: number): Promise<number> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    ignoreTLS: true,
    pool: true,
    maxConnections: SENDERS,
    maxMessages: Number.POSITIVE_INFINITY,
    // Senders write without Nagle's algorithm, as MTAs do: nodemailer's own sockets wait ~40 ms on each message's
    // last segment for the peer's delayed ACK, which held even the bare sink to ~20 mails/s per connection.
    getSocket: (
      o: { port?: number; host?: string },
      cb: (err: Error | null, s?: { connection: net.Socket }) => void,
    ) => {
      const socket = net.connect(o.port ?? 25, o.host ?? '127.0.0.1', () => cb(null, { connection: socket }));
      socket.setNoDelay(true);
      socket.once('error', (e) => cb(e));
    },
  } as Parameters<typeof nodemailer.createTransport>[0]);
  const t0 = performance.now();
  await Promise.all(mails.slice(0, K).map((m) => transport.sendMail(m)));
  let next = K;
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < mails.length) await transport.sendMail(mails[next++]!);
    }),
  );
  transport.close();
  return (performance.now() - t0) / 1000;
}

// 1. iotops: accepted, stored, parsed and threaded.
const intake = await startSmtpIntake({ mail: services.mail, log: ctx.log }, config);
// --split: where the time goes. Every mail is accepted first with no worker (the intake alone), then the worker
// threads the backlog (threading alone); the end-to-end figure is then not measured.
const splitAccept = SPLIT ? await sendAll(intake.port) : 0;
/** The worker in its own process: the CLI's `serve --roles worker` on the bench database. */
function workerProcess(): { stop(): Promise<void> } {
  const child = spawn(process.execPath, ['src/main.ts', 'serve', '--roles', 'worker'], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      LOG_LEVEL: 'warn',
      JOB_POLL_MS: '50',
      MAIL_ADDRESSES: 'support@desk.bench=support',
      MAIL_SENDER_LIMIT_PER_HOUR: '1000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
const worker = process.env.BENCH_NO_WORKER
  ? { stop: async () => undefined }
  : WORKER_PROCESS
    ? workerProcess()
    : startWorker(ctx, services, { pollMs: 50, batch: config.jobBatch });
const threaded = async () =>
  (
    await database.query<{ n: number }>(
      "select count(*)::int as n from mail_messages where thread_rule is not null and received_at > now() - interval '1 day'",
    )
  )[0]!.n;
const t0 = performance.now();
const acceptSeconds = SPLIT ? 0 : await sendAll(intake.port);
const limit = Date.now() + 600_000;
while (!process.env.BENCH_NO_WORKER && (await threaded()) < N && Date.now() < limit)
  await new Promise((r) => setTimeout(r, 50));
const iotopsSeconds = (performance.now() - t0) / 1000;
const done = await threaded();
await worker.stop();
await intake.close();
const rules = await database.query<{ rule: string; n: number }>(
  'select thread_rule as rule, count(*)::int as n from mail_messages group by 1 order by 1',
);

// 2. The bare sink: accepts and discards.
const sink = new SMTPServer({
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  logger: false,
  onData(stream, _session, cb) {
    stream.on('data', () => undefined);
    stream.on('end', () => cb());
  },
});
// Without Nagle's algorithm, like the intake: the baseline is the sink at its best.
sink.server.on('connection', (socket) => socket.setNoDelay(true));
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
const sinkSeconds = await sendAll((sink.server.address() as AddressInfo).port);
await new Promise<void>((r) => sink.close(() => r()));
await finish();

const perSecond = done / iotopsSeconds;
const sinkPerSecond = N / sinkSeconds;
const ratio = perSecond / sinkPerSecond;
console.log(`mail: ${N} messages from ${K} contacts over ${SENDERS} SMTP connections`);
console.log(`  threading: ${rules.map((r) => `${r.rule ?? 'not threaded'} ${r.n}`).join(', ')}`);
console.log(
  `  iotops: ${done} stored, parsed and threaded in ${iotopsSeconds.toFixed(2)} s = ${perSecond.toFixed(0)} messages/s (all answered 250 after ${acceptSeconds.toFixed(2)} s)`,
);
if (SPLIT)
  console.log(
    `  split: the intake alone accepted ${N} in ${splitAccept.toFixed(2)} s = ${(N / splitAccept).toFixed(0)} messages/s; ` +
      `the worker alone threaded them in ${iotopsSeconds.toFixed(2)} s = ${perSecond.toFixed(0)} messages/s (the line above)`,
  );
console.log(`  bare smtp-server sink (same run): ${sinkPerSecond.toFixed(0)} messages/s`);
console.log(`  ratio ${ratio.toFixed(2)}× the sink`);
console.log(
  SPLIT
    ? '  goals: not judged with --split (the end-to-end run is the measure)'
    : `  goals: ≥ 300 messages/s ${perSecond >= 300 ? 'MET' : 'MISSED'}; ≥ 0.5× the sink ${ratio >= 0.5 ? 'MET' : 'MISSED'}`,
);
if (done < N) console.log(`  WARNING: ${N - done} messages not threaded within the limit`);
process.exit(0);
