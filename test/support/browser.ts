import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { startCli } from './cli.ts';

const root = path.resolve(import.meta.dirname, '../..');
/** Screenshots of every journey, kept as test artifacts (gitignored). */
export const ARTIFACTS = path.join(root, 'test-artifacts');

/**
 * Debian's Chromium driven by playwright-core — never a downloaded browser. `.ci/run` installs it with apt-get;
 * CHROMIUM_PATH points elsewhere when needed.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath))
    throw new Error(`no Chromium at ${executablePath}: apt-get install chromium (or set CHROMIUM_PATH)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath,
    // The flags the machine's Chromium needs as root and without outside network (docs of the test machine).
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core on the page as it is: the violations of serious or critical impact (the build fails on any). */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // A dialog still fading in is half transparent, and axe measures its text's contrast against what shows through
  // (Chromium 156 reported Mantine modal titles as failing mid-transition). Wait for finite animations to end.
  await page.evaluate(`(async () => {
    const finite = document.getAnimations().filter(
      (a) => a.playState === 'running' && a.effect?.getTiming().iterations !== Infinity,
    );
    await Promise.race([
      Promise.allSettled(finite.map((a) => a.finished)),
      new Promise((resolve) => setTimeout(resolve, 3000)),
    ]);
  })()`);
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };
    return (await axe.run()).violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.targets.join(', ')}`);
}

export const DEMO_LOGINS = {
  admin: ['admin@demo.iotops.example', 'demo-admin-password'],
  agent: ['agent@demo.iotops.example', 'demo-agent-password'],
  customer: ['ops@nordgrid.example', 'demo-customer-password'],
} as const;

export interface DemoDesk {
  url: string;
  /** A page in a fresh browser context (its own cookies), default timeout 30 s. */
  page(): Promise<Page>;
  /** A fresh page logged in as one of the demo users (waits until the login form is gone). */
  as(who: keyof typeof DEMO_LOGINS): Promise<Page>;
  logIn(page: Page, email: string, password: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * `iotops start` with its demo on a fresh embedded data directory, and Debian's Chromium beside it: the set-up every
 * browser journey file shares. `env` adds to (or overrides) the defaults, e.g. IOTOPS_SIMULATE; `args` go after
 * `start`, e.g. `['--roles', 'api,worker,ingest,mail']` for the SMTP intake.
 */
export async function startDemoDesk(
  prefix: string,
  env: Record<string, string> = {},
  args: readonly string[] = [],
): Promise<DemoDesk> {
  const server = startCli(['start', ...args], {
    LOG_LEVEL: 'warn',
    IOTOPS_DATA_DIR: mkdtempSync(path.join(tmpdir(), `iotops-${prefix}-`)),
    PORT: '0',
    IOTOPS_MQTT_PORT: '0',
    ...env,
  });
  await server.waitFor(/log in \(POST/, 180_000);
  const url = /running at (http:\/\/\S+)/.exec(server.stdout())![1]!;
  const browser: Browser = await launchBrowser();
  const contexts: BrowserContext[] = [];
  const page = async () => {
    // bypassCSP only so that axe-core can be injected; the app itself runs under its real policy otherwise.
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, bypassCSP: true });
    contexts.push(context);
    const p = await context.newPage();
    p.setDefaultTimeout(30_000);
    return p;
  };
  const logIn = async (p: Page, email: string, password: string) => {
    await p.goto(url);
    await p.getByLabel('Email').fill(email);
    await p.getByLabel('Password').fill(password);
    await p.getByRole('button', { name: 'Log in' }).click();
  };
  return {
    url,
    page,
    logIn,
    async as(who) {
      const p = await page();
      const [email, password] = DEMO_LOGINS[who];
      await logIn(p, email, password);
      await p.getByRole('button', { name: 'Log in' }).waitFor({ state: 'detached' });
      return p;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      server.signal('SIGTERM');
      await server.exited;
    },
  };
}

/** A JSON call from inside a logged-in page (with its session cookie); `B` is what the test reads of the answer. */
export const pageCall = <B = Record<string, unknown>>(
  p: Page,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; body: B }> =>
  p.evaluate(
    async ([m, u, b]) => {
      const r = await fetch(u as string, {
        method: m as string,
        credentials: 'same-origin',
        headers: b === undefined ? {} : { 'content-type': 'application/json' },
        body: b === undefined ? undefined : JSON.stringify(b),
      });
      return { status: r.status, body: (await r.json()) as B };
    },
    [method, url, body] as const,
  );
