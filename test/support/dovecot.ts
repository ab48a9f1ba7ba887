import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.ts';

/**
 * A real Dovecot IMAP server of a test's own (Debian's dovecot-imapd, installed by `.ci/run`): its config, state,
 * logs and mail live in a temporary directory, it listens on a free loopback port with one plain-password user, and
 * it stops with the test. Runs unprivileged as the current user; as root (CI), Dovecot refuses to run its login
 * and mail processes as root, so those run as nobody.
 */
const BINARY = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'].find((p) => existsSync(p));

/** Why the IMAP tests cannot run here, or null when they can. */
export const dovecotMissing: string | null = BINARY
  ? null
  : 'no dovecot binary (apt-get install dovecot-imapd; .ci/run does)';

export type Dovecot = {
  port: number;
  user: string;
  pass: string;
  /** Drops every IMAP connection of the user, as a server restart or a network cut would. */
  kick(): void;
  stop(): Promise<void>;
};

const NOBODY = 65534;

export async function startDovecot(): Promise<Dovecot> {
  if (!BINARY) throw new Error(dovecotMissing!);
  // 2.4 renamed and restructured the settings written below (mail_location, passdb args, cleartext auth).
  const version = execFileSync(BINARY, ['--version'], { encoding: 'utf8' }).trim();
  if (!/^2\.3\./.test(version))
    throw new Error(`test/support/dovecot.ts writes a Dovecot 2.3 config; found ${version}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'iotops-dovecot-'));
  const me = os.userInfo();
  const root = me.uid === 0;
  // As root, the login and mail processes run as nobody: they must reach the sockets and the mail under dir.
  if (root) chmodSync(dir, 0o755);
  const home = path.join(dir, 'home');
  mkdirSync(home);
  if (root) chownSync(home, NOBODY, NOBODY);
  const port = await freePort();
  const user = 'desk';
  const pass = `pw-${Math.random().toString(36).slice(2)}`;
  writeFileSync(path.join(dir, 'passwd'), `${user}:{PLAIN}${pass}\n`);
  const conf = path.join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
default_internal_user = ${me.username}
default_login_user = ${root ? 'nobody' : me.username}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${root ? NOBODY : me.uid} gid=${root ? NOBODY : me.gid} home=${home}/%u
}
`,
  );
  const child = spawn(BINARY, ['-F', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  // A test process that ends without its afterAll (a crash, a timeout) leaves no server behind.
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  child.once('exit', () => process.off('exit', orphan));
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const logs = () => {
    const file = path.join(dir, 'dovecot.log');
    return `${output}${existsSync(file) ? readFileSync(file, 'utf8') : ''}`;
  };
  try {
    await listening(child, port, logs);
  } catch (e) {
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    user,
    pass,
    kick: () => {
      execFileSync(path.join(path.dirname(BINARY), '..', 'bin', 'doveadm'), ['-c', conf, 'kick', user], {
        stdio: 'pipe',
      });
    },
    stop: async () => {
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until the port takes connections (Dovecot is up), failing fast with its log if it exits. */
async function listening(child: ChildProcess, port: number, logs: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`dovecot exited (${child.exitCode ?? child.signalCode}):\n${logs()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`dovecot did not listen on ${port} within 30 s:\n${logs()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM (the master stops its children), SIGKILL if it lingers. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
