/**
 * The mail intake's promise under a crash (issue 15, point 7): while senders deliver a burst of mail over SMTP, the
 * iotops process is killed with SIGKILL and restarted. Every mail answered 250 must be stored exactly once, and, once
 * the restarted worker has run, parsed and threaded (onto a case or into triage) — none lost half-way.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/platform/db/client.ts';
import { cliEnv, runCli } from './support/cli.ts';
import { testDbKind } from './support/harness.ts';
import { freePort } from './support/ports.ts';

const root = path.resolve(import.meta.dirname, '..');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function serve(env: Record<string, string>): Promise<ChildProcess> {
  const c = spawn(process.execPath, [path.join(root, 'src/main.ts'), 'serve', '--roles', 'api,worker,mail'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  children.push(c);
  return new Promise((resolve, reject) => {
    let out = '';
    c.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('mail: SMTP intake at')) resolve(c);
    });
    c.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    c.on('close', (code) => reject(new Error(`iotops exited ${code} before it was ready: ${out}`)));
  });
}

describe('SIGKILL during a burst of inbound mail', () => {
  it('stores every mail answered 250 exactly once, and threads each after the restart', async () => {
    const smtpPort = await freePort();
    const env = cliEnv({
      PORT: String(await freePort()),
      IOTOPS_SMTP_PORT: String(smtpPort),
      MAIL_ADDRESSES: 'support@desk.test=support',
      // Every sender is new to the desk: each mail waits in triage, and none trips the per-sender limit.
      MAIL_SENDER_LIMIT_PER_HOUR: '100000',
      // PostgreSQL: the killed worker's claimed jobs are run again once their lease ends (the embedded database
      // re-runs them at restart). A short lease keeps the test short.
      JOB_LEASE_SECONDS: '10',
      JOB_POLL_MS: '200',
    });
    const run = randomBytes(4).toString('hex');
    // An agent's token, to watch triage fill over the API (the embedded database has one owning process).
    const email = `agent-${run}@desk.test`;
    const made = await runCli(
      ['users', 'create', '--email', email, '--password', 'correct-horse-battery', '--role', 'agent'],
      env,
    );
    expect(made.code, made.stderr).toBe(0);
    const token = (await runCli(['tokens', 'create', '--email', email, '--scopes', 'read'], env)).stdout.trim();
    const accepted = new Set<string>();
    let server = await serve(env);
    // Several connections at once, each a sender delivering mail after mail, as a busy MX would.
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      ignoreTLS: true,
      pool: true,
      maxConnections: 8,
      maxMessages: Number.POSITIVE_INFINITY,
    });
    let sending = true;
    let seq = 0;
    const senders = Array.from({ length: 8 }, async () => {
      while (sending) {
        const marker = `burst-${run}-${seq++}`;
        try {
          const info = await transport.sendMail({
            from: `${marker}@sender.example`,
            to: 'support@desk.test',
            subject: `Burst ${marker}`,
            text: `Marker ${marker}`,
            messageId: `<${marker}@sender.example>`,
          });
          if (/^250 /.test(info.response)) accepted.add(marker);
        } catch {
          // The connection died with the process: not answered 250, so the sender keeps it (not our promise).
        }
      }
    });
    // Kill mid-burst once mail has been accepted (not after a fixed time: a slow machine would prove nothing).
    const deadline = Date.now() + 60_000;
    while (accepted.size < 50) {
      if (Date.now() > deadline) throw new Error(`only ${accepted.size} mails accepted in 60 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    server.kill('SIGKILL');
    await new Promise((r) => server.once('close', r));
    sending = false;
    await Promise.all(senders);
    transport.close();
    const acceptedAtKill = [...accepted];

    // Restart: the worker parses and threads what was stored before the kill (unknown senders: into triage).
    server = await serve(env);
    const inTriage = async (): Promise<Set<string>> => {
      const seen = new Set<string>();
      let cursor: string | null = null;
      do {
        const res = await fetch(
          `http://127.0.0.1:${env.PORT}/api/v1/mail/triage?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        expect(res.status).toBe(200);
        const page = (await res.json()) as { items: { subject: string | null }[]; nextCursor: string | null };
        for (const m of page.items) {
          const marker = m.subject?.match(/burst-[0-9a-f]+-\d+/)?.[0];
          if (marker) seen.add(marker);
        }
        cursor = page.nextCursor;
      } while (cursor);
      return seen;
    };
    const until = Date.now() + 120_000;
    for (;;) {
      const seen = await inTriage();
      if (acceptedAtKill.every((m) => seen.has(m))) break;
      if (Date.now() > until) break; // the assertions below say which are missing
      await new Promise((r) => setTimeout(r, 500));
    }
    server.kill('SIGTERM');
    await new Promise((r) => server.once('close', r));

    const database =
      testDbKind === 'postgres'
        ? await openDatabase({ databaseUrl: env.DATABASE_URL!, poolSize: 1 })
        : await openDatabase({ dataDir: env.IOTOPS_DATA_DIR! });
    type Row = { marker: string; n: number; threaded: number };
    let rows: Row[];
    try {
      rows = await database.query<Row>(
        `select substring(subject from 'burst-[0-9a-f]+-[0-9]+') as marker, count(*)::int as n,
                count(*) filter (where thread_rule is not null)::int as threaded
           from mail_messages where subject like $1 group by 1`,
        [`Burst burst-${run}-%`],
      );
    } finally {
      await database.close();
    }
    const stored = new Map(rows.map((r) => [r.marker, r]));
    expect(
      acceptedAtKill.filter((m) => !stored.has(m)),
      'answered 250 but not stored',
    ).toEqual([]);
    expect(
      rows.filter((r) => r.n !== 1),
      'stored more than once',
    ).toEqual([]);
    expect(
      acceptedAtKill.filter((m) => stored.get(m)?.threaded !== 1),
      'stored but not threaded after the restart',
    ).toEqual([]);
  }, 240_000);
});
