import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASE_TYPES } from '../src/modules/cases/cases.schemas.ts';
import { CASE_STATES } from '../src/modules/cases/state-machine.ts';
import { NETWORK_STATUSES } from '../src/modules/ingest/network-effects.ts';
import { SIM_STATES } from '../src/modules/sims/lifecycle.ts';
import { WEBHOOK_EVENT_TYPE_NAMES } from '../src/modules/webhooks/webhooks.types.ts';
import { en } from '../web/src/i18n/en.ts';
import { de, fr, it as itCatalog, ru, sv } from '../web/src/i18n/others.ts';
import { portalCatalogs, portalEn } from '../web/src/i18n/portal.ts';

// Issue 12 (Languages): the portal in en, fr, de, it, ru, sv. A missing key would fall back to English in front of a
// customer; this test finds it before they do.
const others = { fr, de, it: itCatalog, ru, sv } as const;
// The portal's screens, and the webhooks screens the portal shares with the console.
const portalDirs = ['portal', 'webhooks'].map((d) => path.join(import.meta.dirname, '..', 'web', 'src', d));

/** The console-catalog keys the portal's frame shows a customer: the nav, login, the common words, the portal's. */
const SHARED_PORTAL_KEYS = Object.keys(en).filter(
  (k) =>
    k.startsWith('portal.') ||
    k.startsWith('login.') ||
    ['nav.mySims', 'nav.myCases', 'nav.logout', 'language'].includes(k) ||
    ['common.loading', 'common.next', 'common.first', 'common.offline'].includes(k),
);

/** Every t('…') key the portal's screens use. */
function keysUsedByPortal(): string[] {
  const out = new Set<string>();
  for (const dir of portalDirs)
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.tsx'))) {
      for (const m of readFileSync(path.join(dir, f), 'utf8').matchAll(/\bt\('([^']+)'\)/g)) out.add(m[1]!);
    }
  return [...out].sort();
}

describe('portal translations', () => {
  it("every key of the portal's own catalog is given, non-empty, in each language", () => {
    for (const [lang, catalog] of Object.entries(portalCatalogs)) {
      const missing = Object.keys(portalEn).filter((k) => !(catalog as Record<string, string>)[k]?.trim());
      expect(missing, lang).toEqual([]);
    }
  });

  it('every portal key of the console catalog (nav, login, common, portal.*) exists in each other language', () => {
    expect(SHARED_PORTAL_KEYS.length).toBeGreaterThan(10);
    for (const [lang, catalog] of Object.entries(others)) {
      const missing = SHARED_PORTAL_KEYS.filter((k) => !(catalog as Record<string, string>)[k]?.trim());
      expect(missing, lang).toEqual([]);
    }
  });

  it('the portal screens use only keys that every language has', () => {
    const known = new Set([...Object.keys(portalEn), ...SHARED_PORTAL_KEYS]);
    const used = keysUsedByPortal();
    expect(used.length).toBeGreaterThan(20);
    expect(used.filter((k) => !known.has(k))).toEqual([]);
  });

  it('each enum value the API can send has its words (case state and type, SIM state, network state)', () => {
    // The API's own lists: a value added there fails here until every language has its words.
    const families = {
      caseState: CASE_STATES,
      caseType: CASE_TYPES,
      simState: SIM_STATES,
      network: NETWORK_STATUSES,
    };
    for (const [family, values] of Object.entries(families)) {
      for (const v of values) expect(Object.keys(portalEn)).toContain(`enum.${family}.${v}`);
    }
    // Each webhook event type is explained in the customer's words (the API's description is English).
    for (const type of WEBHOOK_EVENT_TYPE_NAMES) expect(Object.keys(portalEn)).toContain(`webhooks.type.${type}`);
    // And the German a customer reads is not the English left in place.
    expect(portalCatalogs.de['enum.caseState.resolved']).toBe('Gelöst');
    expect(portalCatalogs.de['enum.simState.ACTIVATED']).toBe('Aktiv');
  });
});
