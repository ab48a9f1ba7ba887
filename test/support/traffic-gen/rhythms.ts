/**
 * How each kind of device uses the network over a day: when it wakes, whether it stays registered, how much it
 * sends, where it travels. The wakes are intentions; the engine decides what the network makes of them.
 */
import { DAY, HOUR, localHour, localMidnights, localWeekday, MINUTE } from './clock.ts';
import type { DeviceTraits, InitialState, Job, Wake } from './device.ts';
import { HOME_PLMN, PLMNS, plmnInfo, type SimBase } from './fleet.ts';
import { plmnAllowed } from './network.ts';
import type { Rng } from './random.ts';

export interface Rhythm {
  wakes: Wake[];
  traits: DeviceTraits;
  initial: Omit<InitialState, 'apn' | 'imei'>;
  /** The longest gap this device leaves between contacts in a normal week (night, weekend heartbeat…). */
  declaredGapMs: number;
}

interface Window {
  from: number;
  to: number;
}

function collector(w: Window) {
  const wakes: Wake[] = [];
  const add = (at: number, job: Job) => {
    if (at >= w.from && at < w.to) wakes.push({ at: Math.round(at), job });
  };
  return { wakes, add };
}

function traits(rng: Rng, tz: number, t: Pick<DeviceTraits, 'rat'> & Partial<DeviceTraits>): DeviceTraits {
  return {
    longSession: false,
    dailyBytes: 0,
    upShare: 0.5,
    tz,
    backoffBaseMs: rng.float(1, 3) * MINUTE,
    backoffCapMs: rng.float(30, 60) * MINUTE,
    quickRetries: rng.int(1, 2),
    resetsModem: rng.chance(0.4),
    ...t,
  };
}

const weekday = (ms: number, tz: number) => {
  const d = localWeekday(ms, tz);
  return d >= 1 && d <= 5;
};

function meter(rng: Rng, b: SimBase, w: Window): Rhythm {
  const tz = plmnInfo(b.base).tz;
  const mode = rng.weighted([
    ['nightly', 5],
    ['periodic', 3.5],
    ['heartbeat', 1.5],
  ] as const);
  // Battery meters power the modem down between readings; mains meters may stay registered for days.
  const detachAfter = mode === 'heartbeat' ? false : rng.chance(mode === 'nightly' ? 0.7 : 0.5);
  const small = mode === 'heartbeat';
  const reading = (): Job => ({
    kind: 'burst',
    durS: rng.int(20, 120),
    up: small ? rng.int(150, 600) : rng.int(2000, 30000),
    down: rng.int(300, 3000),
    detachAfter,
  });
  const { wakes, add } = collector(w);
  let gap = DAY;
  if (mode === 'periodic') {
    gap = rng.pick([4, 6, 8, 12]) * HOUR;
    const phase = rng.float(0, gap);
    for (let at = w.from - gap + phase; at < w.to; at += gap) add(at + rng.normal(0, 5 * MINUTE), reading());
  } else {
    const hour = mode === 'nightly' ? rng.float(0, 5) : rng.float(0, 24);
    for (const mid of localMidnights(w.from, w.to, tz)) add(mid + hour * HOUR + rng.normal(0, 8 * MINUTE), reading());
  }
  const rat = rng.chance(0.7) ? 'NB-IoT' : 'LTE-M';
  return {
    wakes,
    traits: traits(rng, tz, {
      rat,
      backoffBaseMs: rng.float(2, 5) * MINUTE,
      backoffCapMs: rng.float(120, 240) * MINUTE,
    }),
    initial: { plmn: b.base, attached: !detachAfter, off: false },
    declaredGapMs: gap + 30 * MINUTE,
  };
}

function tracker(rng: Rng, b: SimBase, w: Window): Rhythm {
  const tz = plmnInfo(HOME_PLMN).tz;
  const startH = rng.float(6, 8.5);
  const endH = rng.float(16.5, 20);
  const interval = rng.float(5, 30) * MINUTE;
  // Half the trackers are wired to the ignition and go dark overnight; the rest report a night heartbeat.
  const nightOff = rng.chance(0.5);
  const weekendActive = rng.chance(0.3);
  const hb = rng.float(4, 6) * HOUR;
  const route = b.profile.travel;
  let where = route && rng.chance(0.6) ? rng.pick(route) : b.base;
  let startPlmn = where;
  const fix = (): Job => ({
    kind: 'burst',
    durS: rng.int(3, 40),
    up: rng.int(500, 15000),
    down: rng.int(100, 2000),
    detachAfter: false,
  });
  const beat = (): Job => ({
    kind: 'burst',
    durS: rng.int(3, 15),
    up: rng.int(200, 1500),
    down: rng.int(100, 600),
    detachAfter: false,
  });
  const { wakes, add } = collector(w);
  let onAtFrom = !nightOff;
  for (const mid of localMidnights(w.from, w.to, tz)) {
    const active = weekday(mid + 12 * HOUR, tz) || weekendActive;
    const s = mid + startH * HOUR + rng.normal(0, 10 * MINUTE);
    const e = mid + endH * HOUR + rng.normal(0, 15 * MINUTE);
    if (!active) {
      // Parked: the tracker wakes on its own timer, reports and sleeps again.
      for (let at = mid + rng.float(0, hb); at < mid + DAY; at += hb * rng.float(0.9, 1.1)) {
        if (nightOff) {
          add(at, { kind: 'attach' });
          add(at + MINUTE, beat());
          add(at + 3 * MINUTE, { kind: 'power_off' });
        } else add(at, beat());
      }
      continue;
    }
    if (nightOff && w.from >= s && w.from < e) onAtFrom = true;
    if (nightOff) add(s - 2 * MINUTE, { kind: 'attach' });
    for (let at = s; at < e; at += interval * rng.float(0.6, 1.4)) add(at, fix());
    if (route && rng.chance(0.4)) {
      const next = rng.pick([HOME_PLMN, ...route].filter((p) => p !== where));
      const job: Job = { kind: 'move', plmn: next };
      const refusing = [...PLMNS.values()].filter(
        (p) => p.mcc === plmnInfo(next).mcc && p.code !== next && p.partner && !plmnAllowed(b.plan, p.code),
      );
      if (refusing.length > 0 && rng.chance(0.5)) job.via = rng.pick(refusing).code;
      const at = rng.float(s + HOUR, e - HOUR);
      add(at, job);
      if (at < w.from) startPlmn = next;
      where = next;
    }
    if (nightOff) add(e + 3 * MINUTE, { kind: 'power_off' });
    else for (let at = e + hb; at < s + DAY - 30 * MINUTE; at += hb) add(at, beat());
  }
  const rat = rng.chance(0.6) ? 'LTE-M' : '4G';
  return {
    wakes,
    traits: traits(rng, tz, { rat }),
    initial: { plmn: startPlmn, attached: onAtFrom, off: !onAtFrom },
    declaredGapMs: (nightOff ? (24 - (endH - startH)) * HOUR : Math.max(hb, interval * 1.4)) + 45 * MINUTE,
  };
}

function router(rng: Rng, b: SimBase, w: Window): Rhythm {
  const tz = plmnInfo(b.base).tz;
  const every = rng.float(15, 60) * MINUTE;
  const dailyBytes = Math.min(500e6, Math.max(3e6, rng.logNormal(40e6, 0.9)));
  const open = rng.chance(0.85);
  const age = rng.float(0.5, 20) * HOUR;
  const { wakes, add } = collector(w);
  const first = open ? w.from + rng.float(0, every) : w.from + rng.float(5 * MINUTE, 6 * HOUR);
  for (let at = first; at < w.to; at += every * rng.float(0.8, 1.2)) add(at, { kind: 'tick' });
  if (rng.chance(0.5)) {
    // The PGW enforces a maximum session duration of 24 h; the router reconnects at once.
    for (let r = (open ? w.from - age : first) + DAY; r < w.to; r += DAY) add(r, { kind: 'session_reset' });
  }
  for (const mid of localMidnights(w.from, w.to, tz)) {
    if (rng.chance(0.2)) add(mid + rng.float(2, 4) * HOUR, { kind: 'reattach' });
  }
  const initial: Rhythm['initial'] = { plmn: b.base, attached: open, off: false };
  if (open) initial.sessionAgeMs = age;
  return {
    wakes,
    traits: traits(rng, tz, {
      rat: rng.chance(0.6) ? '4G' : '5G',
      longSession: true,
      dailyBytes,
      upShare: rng.float(0.15, 0.6),
      backoffBaseMs: rng.float(0.5, 2) * MINUTE,
      backoffCapMs: rng.float(15, 30) * MINUTE,
      quickRetries: 2,
    }),
    initial,
    declaredGapMs: every * 1.25,
  };
}

function vending(rng: Rng, b: SimBase, w: Window): Rhythm {
  const tz = plmnInfo(b.base).tz;
  const allDay = rng.chance(0.25);
  const openH = rng.float(6, 8);
  const closeH = rng.float(20, 23);
  const perHour = rng.float(1, 4);
  const reportH = rng.float(1, 4.5);
  const sleeps = !allDay && rng.chance(0.2);
  const sale = (): Job => ({
    kind: 'burst',
    durS: rng.int(2, 15),
    up: rng.int(300, 3000),
    down: rng.int(200, 2000),
    detachAfter: false,
  });
  const stock = (): Job => ({
    kind: 'burst',
    durS: rng.int(20, 60),
    up: rng.int(5000, 20000),
    down: rng.int(500, 3000),
    detachAfter: false,
  });
  const { wakes, add } = collector(w);
  for (const mid of localMidnights(w.from, w.to, tz)) {
    const o = mid + openH * HOUR;
    const c = mid + closeH * HOUR;
    if (allDay) {
      for (let at = mid + rng.exp(HOUR / perHour); at < mid + DAY; ) {
        add(at, sale());
        const h = localHour(at, tz);
        at += rng.exp(HOUR / (h >= 6 && h < 22 ? perHour : perHour / 4));
      }
      add(mid + reportH * HOUR, stock());
      continue;
    }
    if (sleeps) add(o - 10 * MINUTE, { kind: 'attach' });
    else add(mid + reportH * HOUR, stock());
    for (let at = o + rng.exp(HOUR / perHour); at < c; at += rng.exp(HOUR / perHour)) add(at, sale());
    if (sleeps) add(c + 10 * MINUTE, { kind: 'power_off' });
  }
  const h = localHour(w.from, tz);
  const offAtFrom = sleeps && (h < openH - 1 / 6 || h >= closeH + 1 / 6);
  const nightGap = sleeps ? 24 - (closeH - openH) : Math.max(reportH + 24 - closeH, openH - reportH);
  return {
    wakes,
    traits: traits(rng, tz, { rat: rng.chance(0.6) ? 'LTE-M' : '4G' }),
    initial: { plmn: b.base, attached: !offAtFrom, off: offAtFrom },
    declaredGapMs: (allDay ? 12 / perHour : nightGap + 1) * HOUR,
  };
}

function industrial(rng: Rng, b: SimBase, w: Window): Rhythm {
  const tz = plmnInfo(b.base).tz;
  const allDay = rng.chance(0.3);
  const every = rng.float(10, 30) * MINUTE;
  const hb = rng.float(2, 4) * HOUR;
  const s = rng.float(5.5, 6.5);
  const e = rng.float(21.5, 22.5);
  const { wakes, add } = collector(w);
  const operating = (at: number) => {
    const h = localHour(at, tz);
    return allDay || (weekday(at, tz) && h >= s && h < e);
  };
  for (let at = w.from - rng.float(0, hb); at < w.to; ) {
    const busy = operating(at);
    add(
      at,
      busy
        ? {
            kind: 'burst',
            durS: rng.int(60, 600),
            updateEveryS: 120,
            up: rng.int(20_000, 300_000),
            down: rng.int(2_000, 20_000),
            detachAfter: false,
          }
        : { kind: 'burst', durS: rng.int(5, 20), up: rng.int(500, 2000), down: rng.int(200, 800), detachAfter: false },
    );
    at += busy ? every * rng.float(0.7, 1.3) : hb * rng.float(0.9, 1.1);
  }
  return {
    wakes,
    traits: traits(rng, tz, {
      rat: rng.chance(0.8) ? '4G' : 'LTE-M',
      backoffCapMs: rng.float(20, 45) * MINUTE,
    }),
    initial: { plmn: b.base, attached: true, off: false },
    declaredGapMs: (allDay ? every * 1.3 : hb * 1.1) + 15 * MINUTE,
  };
}

function alarm(rng: Rng, b: SimBase, w: Window): Rhythm {
  const tz = plmnInfo(b.base).tz;
  const hbH = rng.float(0, 24);
  const smsH = rng.float(0, 12);
  const sms = b.plan.services.sms;
  const { wakes, add } = collector(w);
  for (const mid of localMidnights(w.from, w.to, tz)) {
    add(mid + hbH * HOUR + rng.normal(0, 3 * MINUTE), {
      kind: 'burst',
      durS: rng.int(3, 10),
      up: rng.int(200, 800),
      down: rng.int(100, 400),
      detachAfter: false,
    });
    if (sms) {
      add(mid + smsH * HOUR + rng.normal(0, 2 * MINUTE), { kind: 'sms_mo' });
      add(mid + (smsH + 12) * HOUR + rng.normal(0, 2 * MINUTE), { kind: 'sms_mo' });
    }
    if (rng.chance(0.05)) add(mid + rng.float(0, DAY), { kind: 'voice', seconds: rng.int(20, 120) });
    if (rng.chance(0.1)) add(mid + rng.float(8, 17) * HOUR, { kind: 'sms_mt' });
  }
  return {
    wakes,
    traits: traits(rng, tz, {
      rat: rng.chance(0.5) ? 'NB-IoT' : 'LTE-M',
      backoffCapMs: rng.float(60, 180) * MINUTE,
    }),
    initial: { plmn: b.base, attached: true, off: false },
    declaredGapMs: (sms ? 12 : 24) * HOUR + 15 * MINUTE,
  };
}

export function buildRhythm(rng: Rng, b: SimBase, from: number, to: number): Rhythm {
  const w = { from, to };
  const r = (() => {
    switch (b.profile.kind) {
      case 'smart_meter':
        return meter(rng, b, w);
      case 'asset_tracker':
        return tracker(rng, b, w);
      case 'router':
        return router(rng, b, w);
      case 'vending_machine':
        return vending(rng, b, w);
      case 'industrial_machine':
        return industrial(rng, b, w);
      case 'alarm_panel':
        return alarm(rng, b, w);
    }
  })();
  r.wakes.sort((a, c) => a.at - c.at);
  return r;
}
