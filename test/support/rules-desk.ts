/**
 * What the alarm-rule editor's browser tests share (test/browser/alarm-rules*.test.ts): a demo desk without traffic,
 * its admin and agent pages, an ingest credential, and the account of the demo's first active SIM (a rule's scope).
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { type DemoDesk, pageCall, shot, startDemoDesk } from './browser.ts';

export type RulesDesk = {
  desk: DemoDesk;
  admin: Page;
  agent: Page;
  ingestSecret: string;
  account: { id: number; label: string };
};

export async function startRulesDesk(name: string): Promise<RulesDesk> {
  const desk = await startDemoDesk(name, { IOTOPS_SIMULATE: 'off' });
  const admin = await desk.as('admin');
  const cred = await pageCall(admin, 'POST', '/api/v1/ingest/credentials', { name: `${name}-${Date.now()}` });
  expect(cred.status).toBe(201);
  const sims = await pageCall(admin, 'GET', '/api/v1/sims?state=ACTIVATED&limit=1');
  const owner = (sims.body.items as { account: { id: number; name: string; number: string } }[])[0]!.account;
  return {
    desk,
    admin,
    agent: await desk.as('agent'),
    ingestSecret: cred.body.secret as string,
    account: { id: owner.id, label: `${owner.name} (${owner.number})` },
  };
}

/** A full-page shot from the top: the shell's header is fixed, and a scrolled page's shot draws it midway down. */
export async function shotFromTop(p: Page, name: string) {
  await p.evaluate('window.scrollTo(0, 0)');
  await shot(p, name);
}

/**
 * Wait until the draft rule's 7-day backtest names this ICCID: ingest stores a record's hour (and its hourly usage)
 * a moment after accepting it, and the backtest reads those.
 */
export async function untilBacktestFinds(agent: Page, draft: Record<string, unknown>, iccid: string) {
  await expect
    .poll(
      async () => {
        const r = await pageCall(agent, 'POST', '/api/v1/alarm-rule-backtests?days=7', { name: 'probe', ...draft });
        return ((r.body.sims as { iccid: string }[] | undefined) ?? []).some((s) => s.iccid === iccid);
      },
      { timeout: 60_000, interval: 1000 },
    )
    .toBe(true);
}
