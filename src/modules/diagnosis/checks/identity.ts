/**
 * Identity: is the SIM the network sees the one on record (IMSI), in the device it was in (IMEI), and does the
 * network accept the SIM/device identity at all (EMM #3 illegal UE, #5 IMEI not accepted, #6 illegal ME)?
 */
import type { Finding, LayerResult } from '../diagnosis.model.ts';
import { deviceOf, recovered } from '../facts.ts';
import {
  type Ctx,
  causeText,
  check,
  config,
  DAY_MS,
  eventEvidence,
  iso,
  occurrences,
  refusalsText,
  when,
} from './common.ts';

/** An IMEI change this recent is news (a SIM moved to another device, or taken out of it). */
export const IMEI_RECENT_MS = 7 * DAY_MS;
/** EMM causes refusing the SIM's or the device's identity (TS 24.301 §9.9.3.9). */
export const IDENTITY_EMM_CAUSES: ReadonlySet<number> = new Set([3, 5, 6]);

export function identityChecks({ input, facts }: Ctx): LayerResult {
  const checks = [];
  const findings: Finding[] = [];
  const known = new Set(input.sim.imsis.map((i) => i.imsi));
  const foreign = [...facts.imsis.entries()].filter(([imsi]) => !known.has(imsi));
  if (facts.imsis.size === 0) {
    checks.push(check('identity', 'imsi', 'unknown', 'IMSI', 'No event in the window carried an IMSI.'));
  } else if (foreign.length > 0) {
    const [imsi, seen] = foreign[0]!;
    checks.push(
      check(
        'identity',
        'imsi',
        'warning',
        'IMSI not on record',
        `Events carry IMSI ${imsi} (${seen.count} event(s), last ${when(seen.newest.ts)}), which is not one of this SIM's IMSIs (${[...known].join(', ') || 'none on record'}): the SIM record is out of date, or the network maps this ICCID to another profile.`,
        [
          config('sim.imsis', [...known]),
          { kind: 'event', id: seen.newest.id, ts: iso(seen.newest.ts), type: seen.newest.type },
        ],
        { fix: "Check the SIM's IMSIs with the network's HSS and update the SIM record." },
      ),
    );
  } else {
    checks.push(
      check(
        'identity',
        'imsi',
        'ok',
        'IMSI',
        `The network sees IMSI(s) ${[...facts.imsis.keys()].join(', ')}, all on record for this SIM.`,
      ),
    );
  }
  imei(input, facts, checks, findings);
  const refused = facts.rejects.filter(
    (g) => g.type === 'attach_rejected' && g.cause !== null && IDENTITY_EMM_CAUSES.has(g.cause),
  );
  if (refused.length > 0) {
    const g = refused[0]!;
    const back = recovered(facts, g);
    const detail = `The network refused the ${g.cause === 3 ? 'SIM' : 'device'} identity with ${causeText(g.type, g.cause)} in PLMN ${g.plmn ?? '?'}, ${occurrences(g)}${back ? '; registrations were accepted again since' : ''}.`;
    const fix =
      g.cause === 3
        ? 'Authentication failed: the SIM may be cloned or its keys out of step with the HSS; escalate to the network team.'
        : 'The device (IMEI) is barred: check whether the device is blacklisted or locked out, or use another device.';
    checks.push(
      check(
        'identity',
        'network_identity',
        back ? 'warning' : 'error',
        'Identity refused by the network',
        detail,
        refused.map(eventEvidence),
        { fix },
      ),
    );
    findings.push({
      code: 'identity_rejected',
      verdict: back ? 'warning' : 'error',
      confidence: 'high',
      check: 'identity.network_identity',
      facts: {
        cause: g.cause!,
        causeName: causeText(g.type, g.cause),
        plmn: g.plmn ?? undefined,
        since: when(g.oldest.ts),
        recovered: back,
      },
      fix,
    });
  } else if (facts.count > 0) {
    checks.push(
      check(
        'identity',
        'network_identity',
        'ok',
        'Identity accepted',
        'No refusal of the SIM or device identity (EMM #3, #5, #6) in the window.',
      ),
    );
  }
  return { checks, findings };
}

function imei(input: Ctx['input'], facts: Ctx['facts'], checks: LayerResult['checks'], findings: Finding[]) {
  const current = input.networkState?.imei ?? facts.newest?.imei ?? null;
  const here = current === null ? null : deviceOf(current);
  // The previous device: the most recently seen other one, from the history or the window's events (facts.imeis is
  // keyed by device already). Another form of the same device (IMEISV, a 14-digit IMEI) is no change.
  const others = [
    ...input.imeiHistory
      .filter((h) => deviceOf(h.imei) !== here)
      .map((h) => ({ imei: h.imei, at: h.lastSeenAt.getTime() })),
    ...[...facts.imeis.entries()]
      .filter(([d]) => d !== here)
      .map(([, s]) => ({ imei: s.newest.imei!, at: s.newest.ts.getTime() })),
  ].sort((a, b) => b.at - a.at);
  const previous = others[0]?.imei ?? null;
  const mine = input.imeiHistory
    .filter((h) => deviceOf(h.imei) === here)
    .reduce<number | null>((a, h) => Math.min(a ?? Number.POSITIVE_INFINITY, h.firstSeenAt.getTime()), null);
  const changedAt =
    previous === null
      ? null
      : (mine ??
        input.networkState?.imeiChangedAt?.getTime() ??
        facts.imeis.get(here ?? '')?.oldest.ts.getTime() ??
        null);
  if (current === null) {
    checks.push(check('identity', 'imei', 'unknown', 'Device (IMEI)', 'No IMEI reported for this SIM yet.'));
    return;
  }
  const evidence = [config('networkState.imei', current), ...(previous ? [config('previousImei', previous)] : [])];
  if (lockRefusal(input, facts, current, changedAt, checks, findings)) return;
  if (previous !== null && changedAt !== null && input.now.getTime() - changedAt <= IMEI_RECENT_MS) {
    const fix =
      'If the SIM was moved on purpose, nothing to do. If not, the SIM may have been taken out of its device: confirm with the customer and deactivate it if it was stolen.';
    checks.push(
      check(
        'identity',
        'imei',
        'warning',
        'Device changed recently',
        `The SIM moved from device IMEI ${previous} to IMEI ${current} at ${when(changedAt)}.`,
        evidence,
        { fix },
      ),
    );
    findings.push({
      code: 'imei_changed',
      verdict: 'warning',
      confidence: 'high',
      check: 'identity.imei',
      facts: { oldImei: previous, newImei: current, since: when(changedAt) },
      fix,
    });
    return;
  }
  if (input.sim.imei !== null && deviceOf(input.sim.imei) !== here) {
    checks.push(
      check(
        'identity',
        'imei',
        'warning',
        'Device differs from the record',
        `The network sees IMEI ${current}; the SIM record says ${input.sim.imei}${changedAt === null ? '' : ` (the device changed at ${when(changedAt)})`}.`,
        [...evidence, config('sim.imei', input.sim.imei)],
        { fix: "Update the SIM's IMEI on record if the new device is intended." },
      ),
    );
    return;
  }
  const since = changedAt === null ? '' : ` since ${when(changedAt)}`;
  checks.push(
    check('identity', 'imei', 'ok', 'Device (IMEI)', `The SIM is in device IMEI ${current}${since}.`, evidence),
  );
}

/**
 * IMEI lock: a SIM locked to the IMEI on record, now in another device and refused since it moved there — the lock
 * is the cause, whatever the refusals' causes say (ESM #29 looks like credentials or a used-up credit, EMM #3/#6/#7
 * like identity or subscription). Answers whether it decided the IMEI check.
 */
function lockRefusal(
  input: Ctx['input'],
  facts: Ctx['facts'],
  current: string,
  changedAt: number | null,
  checks: LayerResult['checks'],
  findings: Finding[],
): boolean {
  const lockedTo = input.sim.imeiLock === null ? null : input.sim.imei;
  if (lockedTo === null || deviceOf(lockedTo) === deviceOf(current)) return false;
  // In the new device since: the first event that carried it (the change time when known).
  const since = changedAt ?? facts.imeis.get(deviceOf(current))?.oldest.ts.getTime() ?? null;
  const refused = facts.rejects.filter(
    (g) => !recovered(facts, g) && (since === null || g.newest.ts.getTime() >= since),
  );
  if (refused.length === 0) return false;
  const by = input.sim.imeiLock === 'plan' ? 'its communication plan' : 'the SIM';
  const fix = `If the SIM was moved on purpose, set its IMEI on record to ${current} (the lock follows the record); if not, put it back into device ${lockedTo}, or deactivate it if it was stolen.`;
  checks.push(
    check(
      'identity',
      'imei',
      'error',
      'IMEI lock refuses the new device',
      `The SIM is IMEI-locked (by ${by}) to ${lockedTo} but sits in device ${current}${since === null ? '' : ` since ${when(since)}`}; the network refuses it there: ${refusalsText(refused)}.`,
      [config('sim.imei', lockedTo), config('networkState.imei', current), ...refused.slice(0, 3).map(eventEvidence)],
      { fix },
    ),
  );
  findings.push({
    code: 'imei_changed',
    verdict: 'error',
    confidence: 'high',
    check: 'identity.imei',
    facts: { oldImei: lockedTo, newImei: current, imeiLocked: true, ...(since === null ? {} : { since: when(since) }) },
    fix,
  });
  return true;
}
