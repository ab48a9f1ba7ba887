/**
 * One SIM's device, played against the network: it wakes on its rhythm, attaches when it must, opens sessions,
 * retries with backoff when refused, and emits the network events the operator's core would record.
 */
import { ceilSecond, MINUTE, SECOND } from './clock.ts';
import {
  type BurstJob,
  backoffMs,
  CONTROL,
  eventHead,
  type Job,
  longSessionBytes,
  type Open,
  QUICK_RETRY,
  type SimEvent,
  type SimInput,
  sessionOpenAtStart,
  type Wake,
} from './device.ts';
import { decideAttach, decideSession, OK, type Verdict } from './network.ts';
import type { EventType, NetworkEvent } from './truth.ts';

export function simulate(input: SimInput, wakes: readonly Wake[]): SimEvent[] {
  const { rng, sub, traits, outages, to } = input;
  const out: SimEvent[] = [];
  let t = ceilSecond(input.from);
  let lastMs = Number.NEGATIVE_INFINITY;
  let ended = false;
  let dead = false;
  let { plmn, apn, imei, attached, off } = input.initial;
  let counter = 0;
  let session: Open | undefined;
  let pending: Job | undefined;
  let retryAt = Number.POSITIVE_INFINITY;
  let failures = 0;
  // A device refused by an outage that lasts to the end of the window stays where it met it.
  let parked = false;
  const newSessionId = () => `c${(input.index + 1).toString(16)}-${(counter++).toString(16).padStart(4, '0')}`;

  if (input.initial.sessionAgeMs !== undefined && attached) session = sessionOpenAtStart(input, newSessionId(), t);

  function now(): number {
    t = Math.max(ceilSecond(t), lastMs + SECOND);
    if (t >= to) ended = true;
    return t;
  }

  function emit(type: EventType, fields: Partial<NetworkEvent>, extra: Partial<SimEvent> = {}): boolean {
    now();
    if (ended) return false;
    lastMs = t;
    const ev = Object.assign(eventHead(input, type, t, plmn, imei), fields);
    out.push({ ms: t, ev, imei, ...extra });
    return true;
  }

  function refused(type: 'attach_rejected' | 'session_rejected', v: Verdict, fields: Partial<NetworkEvent>): void {
    if (v.ok) return;
    const extra: Partial<SimEvent> = { mechanism: v.mechanism };
    if (v.outage) extra.outage = v.outage;
    emit(type, { ...fields, cause: v.cause }, extra);
  }

  function attemptAttach(): Verdict {
    let v: Verdict = OK;
    for (let i = 0; i <= traits.quickRetries; i++) {
      if (i > 0) t += rng.int(10, 16) * SECOND;
      now();
      if (ended) return OK;
      v = decideAttach(sub, outages, t, plmn, imei);
      if (v.ok) {
        if (emit('attach', {})) attached = true;
        return v;
      }
      refused('attach_rejected', v, {});
      if (!QUICK_RETRY.has(v.cause)) return v;
    }
    return v;
  }

  function openSession(): Verdict {
    const id = newSessionId();
    now();
    if (ended) return OK;
    const v = decideSession(sub, outages, t, apn, imei);
    if (!v.ok) {
      refused('session_rejected', v, { apn, session_id: id });
      return v;
    }
    if (emit('session_start', { apn, session_id: id, ip: input.ipFor(apn) }, { sessionStart: t })) {
      session = { id, apn, start: t, up: 0, down: 0, last: t };
    }
    return v;
  }

  function report(type: 'session_update' | 'session_end', up: number, down: number, extra: Partial<SimEvent> = {}) {
    const s = session;
    if (!s) return;
    s.up = Math.max(s.up, Math.round(up));
    s.down = Math.max(s.down, Math.round(down));
    const fields = { apn: s.apn, session_id: s.id, bytes_up: s.up, bytes_down: s.down };
    emit(type, fields, { sessionStart: s.start, ...extra });
    s.last = t;
    if (type === 'session_end') session = undefined;
  }

  function accrue(): void {
    const s = session;
    if (!s) return;
    now();
    const bytes = longSessionBytes(traits, t, Math.max(0, t - s.last) / SECOND, rng);
    s.up += Math.round(bytes * traits.upShare);
    s.down += Math.round(bytes * (1 - traits.upShare));
  }

  function closeSession(): void {
    if (!session) return;
    if (traits.longSession) accrue();
    report('session_end', session.up, session.down);
  }

  function detach(): void {
    if (!attached) return;
    closeSession();
    emit('detach', {});
    attached = false;
  }

  function transfer(job: BurstJob): void {
    const start = t;
    const every = job.updateEveryS;
    if (every && job.durS > every) {
      for (let s = every; s < job.durS; s += every) {
        t = start + s * SECOND;
        report('session_update', (job.up * s) / job.durS, (job.down * s) / job.durS);
      }
    }
    t = start + job.durS * SECOND;
    report('session_end', job.up, job.down);
  }

  function ensureAttached(): Verdict {
    return attached ? OK : attemptAttach();
  }

  function burst(job: BurstJob): Verdict {
    const a = ensureAttached();
    if (!a.ok) return a;
    const v = openSession();
    if (!v.ok) return v;
    transfer(job);
    if (job.detachAfter) detach();
    return OK;
  }

  function tick(): Verdict {
    const a = ensureAttached();
    if (!a.ok) return a;
    if (!session) return openSession();
    accrue();
    report('session_update', session.up, session.down);
    return OK;
  }

  /** What a device does right after it was (re)installed or reconfigured: connect and send a test record. */
  function commission(): Job {
    if (traits.longSession) return { kind: 'tick' };
    return {
      kind: 'burst',
      durS: rng.int(8, 30),
      up: rng.int(500, 3000),
      down: rng.int(200, 1500),
      detachAfter: false,
    };
  }

  function execute(job: Job): Verdict {
    switch (job.kind) {
      case 'burst':
        return burst(job);
      case 'attach':
        off = false;
        return traits.longSession ? tick() : ensureAttached();
      case 'tick':
        return tick();
      case 'sms_mo':
        if (attached) emit('sms_mo', {});
        return OK;
      case 'voice':
        if (attached) emit('voice', { seconds: job.seconds });
        return OK;
      default:
        return OK;
    }
  }

  function clearRetry(): void {
    pending = undefined;
    retryAt = Number.POSITIVE_INFINITY;
    failures = 0;
  }

  function run(job: Job): void {
    const v = execute(job);
    if (v.ok) {
      clearRetry();
      return;
    }
    pending = job;
    failures++;
    if (v.outage && v.outage.end === Number.POSITIVE_INFINITY) parked = true;
    const sessionSide = v.mechanism === 'apn_unknown' || v.mechanism === 'quota' || v.outage?.kind === 'apn_gateway';
    if (sessionSide && traits.resetsModem && failures % 3 === 0) {
      t += rng.int(5, 30) * SECOND;
      detach();
    }
    retryAt = t + backoffMs(traits, v.cause, failures, rng);
  }

  function bulk(job: Extract<Job, { kind: 'bulk' }>): void {
    clearRetry();
    off = false;
    closeSession();
    t = Math.max(t, job.crossAt - job.durS * SECOND);
    const a = ensureAttached();
    if (!a.ok || !openSession().ok || !session) return;
    const every = rng.int(180, 300) * SECOND;
    // Placeholder volumes: usage shaping sets the real cumulative bytes once the whole SIM is known.
    while (t + every < job.crossAt) {
      t += every;
      report('session_update', session.up + 1, session.down + 1);
    }
    t = Math.max(t + SECOND, job.crossAt);
    if (job.block) {
      // The OCS has no quota left: the PGW tears the session down and later set-ups are refused.
      report('session_end', session.up + 1, session.down + 1, { crossing: true });
      sub.blockedFrom = lastMs;
      pending = commission();
      failures = 1;
      retryAt = t + rng.int(30, 180) * SECOND;
      return;
    }
    report('session_update', session.up + 1, session.down + 1, { crossing: true });
    if (traits.longSession) return;
    for (let k = rng.int(1, 3); k > 0; k--) {
      t += every;
      report('session_update', session.up + 1, session.down + 1);
    }
    t += every;
    report('session_end', session.up + 1, session.down + 1);
  }

  function control(job: Job): void {
    switch (job.kind) {
      case 'sms_mt':
        emit('sms_mt', { status: attached && !off ? 'delivered' : 'failed' });
        return;
      case 'power_off':
        detach();
        off = true;
        clearRetry();
        return;
      case 'reattach':
        if (off) return;
        detach();
        t += rng.int(30, 90) * SECOND;
        clearRetry();
        run({ kind: 'attach' });
        return;
      case 'move': {
        if (parked) return;
        detach();
        if (off) {
          plmn = job.plmn;
          return;
        }
        t += rng.int(2, 12) * MINUTE;
        clearRetry();
        if (job.via) {
          // Network selection tries the strongest PLMN first; the home HSS refuses it and the UE moves on.
          plmn = job.via;
          if (attemptAttach().ok) return;
          t += rng.int(20, 60) * SECOND;
        }
        plmn = job.plmn;
        run({ kind: 'attach' });
        return;
      }
      case 'die':
        if (job.implicitAfterS !== undefined && attached) {
          // The MME's mobile reachable timer expires: implicit detach, and the PGW closes the session.
          t += job.implicitAfterS * SECOND;
          if (session) report('session_end', session.up, session.down);
          emit('detach', {});
        }
        dead = true;
        return;
      case 'swap':
        detach();
        imei = job.imei;
        off = false;
        t += rng.int(5, 40) * MINUTE;
        clearRetry();
        run(commission());
        return;
      case 'deactivate':
        sub.deactivatedFrom = now();
        if (attached) {
          // Cancel Location from the HSS.
          closeSession();
          emit('detach', {});
          attached = false;
        }
        t += rng.int(1, 5) * MINUTE;
        clearRetry();
        if (!off) run({ kind: 'attach' });
        return;
      case 'reconfigure':
        detach();
        apn = job.apn;
        t += rng.int(1, 3) * MINUTE;
        clearRetry();
        if (!off) run(commission());
        return;
      case 'bulk':
        bulk(job);
        return;
      case 'session_reset':
        if (!session || off) return;
        closeSession();
        t += rng.int(1, 5) * SECOND;
        run({ kind: 'tick' });
        return;
      case 'registered_refusal':
        // A failed re-registration in a new area while the old registration still carries the traffic.
        if (!attached || off) return;
        emit('attach_rejected', { cause: job.cause }, { mechanism: 'noise' });
        return;
      default:
        return;
    }
  }

  let i = 0;
  while (!ended && !dead) {
    const w = wakes[i];
    const wakeAt = w ? w.at : Number.POSITIVE_INFINITY;
    if (retryAt === Number.POSITIVE_INFINITY && !w) break;
    if (retryAt <= wakeAt) {
      t = Math.max(t, retryAt);
      retryAt = Number.POSITIVE_INFINITY;
      if (t >= to || !pending) break;
      run(pending);
      continue;
    }
    i++;
    if (!w) break;
    t = Math.max(t, w.at);
    if (t >= to) break;
    if (CONTROL.has(w.job.kind)) control(w.job);
    else if ((off && w.job.kind !== 'attach') || pending) continue;
    else run(w.job);
  }
  return out;
}
