/**
 * One SIM as the core network sees it: attach, data sessions with cumulative bytes, SMS, calls, moves between
 * visited networks — and the injected faults bending that behaviour. A small state machine stepped by the engine
 * at the instants it asks for; it emits contract records (ingest-v1) through `emit`.
 */
import type { Rat } from '../ingest/contract.ts';
import { deviceApnFromSms, type SimCommand } from './commands.ts';
import { type ActiveFault, apnTypo, type FaultBook, type GroundTruth, roamingCause, swappedImei } from './faults.ts';
import { type FleetMember, type Plmn, plmnCode } from './fleet.ts';
import type { ActorCtx, NetworkEmit } from './network-wire.ts';
import { HOUR, hourOf, MIN, nextGap, PROFILES, type Profile } from './profiles.ts';
import { memberRng, type Rng } from './rng.ts';

export type { ActorCtx, Affected, Clearance, NetworkEmit, NetworkWire } from './network-wire.ts';

type Session = { id: string; apn: string; end: number; up: number; down: number; last: number };

const DAY = 24 * HOUR;

export class NetworkActor {
  private state: 'detached' | 'idle' | 'in_session' = 'detached';
  private readonly r: Rng;
  private readonly p: Profile;
  private plmn: Plmn;
  private readonly rat: Rat;
  private imei: string;
  private session: Session | null = null;
  private sessions = 0;
  private rejectStreak = 0;
  private nextSms: number;
  private nextVoice: number;
  private nextMove: number;
  private nextSmsOff = 0;
  private limitUsed = 0;
  private silentUntil: number | null = null;
  private readonly hit = new Set<number>();
  /** When the state machine wants its next step (an SMS in between must not move it). */
  private planned = 0;
  /** Network commands (engine.command) waiting for their instant, in arrival order. */
  private readonly commands: { c: SimCommand; at: number }[] = [];
  /** Bumped when a command reschedules the actor: the engine drops heap entries of an older generation. */
  gen = 0;
  /** The instant of this actor's live heap entry (kept by the engine). */
  scheduledAt = Number.POSITIVE_INFINITY;
  /** The HSS withdrew the subscription (a non-active SIM): refused like sim_deactivated until active again. */
  private barred: GroundTruth | null = null;
  /** The APN a configuration SMS set on the device; it wins over the device's own (possibly mistyped) one. */
  private apnOverride: string | null = null;
  /** After a reset or a new configuration the device opens its data session right after registering. */
  private reconnect = false;
  /** MT SMS the SMSC holds while the device is detached (store and forward), delivered at the next attach. */
  private readonly heldSms: Extract<SimCommand, { kind: 'sms' }>[] = [];

  readonly m: FleetMember;
  private readonly book: FaultBook;
  private readonly ctx: ActorCtx;

  constructor(m: FleetMember, book: FaultBook, ctx: ActorCtx) {
    this.m = m;
    this.book = book;
    this.ctx = ctx;
    this.r = memberRng(ctx.seed, m.iccid, 'network');
    this.p = PROFILES[m.deviceClass];
    this.plmn = m.homePlmn;
    this.rat = this.r.pick(this.p.rats);
    this.imei = m.imei;
    const never = Number.POSITIVE_INFINITY;
    this.nextSms = m.planServices.sms && this.p.smsPerDay > 0 ? ctx.start + this.r.exp(DAY / this.p.smsPerDay) : never;
    this.nextVoice =
      m.planServices.voice && this.p.voicePerDay > 0 ? ctx.start + this.r.exp(DAY / this.p.voicePerDay) : never;
    const canRoam = m.roamingPlmns.length > 0 || book.outagePlmns().length > 0;
    this.nextMove = this.p.moveEvery > 0 && canRoam ? ctx.start + this.r.exp(this.p.moveEvery) : never;
  }

  /** First step: devices come up over the first 15 minutes, not all in the same second. */
  firstAt(): number {
    return this.ctx.start + Math.floor(this.r.between(0, 15 * MIN));
  }

  /** Handles the instant t; returns when it wants to be stepped next (Infinity: never again). */
  step(t: number, emit: NetworkEmit): number {
    let next = this.applyCommands(t, emit);
    if (next === null) next = this.smsWhileOff(t, emit);
    if (next === null) {
      next = this.act(t, emit);
      this.planned = next;
    }
    const sms = this.book.own(this.m, 'sms_while_off', t) ? Math.max(t + 1, this.nextSmsOff) : Number.POSITIVE_INFINITY;
    // Wake at the next fault edge too, so a fault shows from its start instead of at the next routine attempt.
    const command = this.commands.reduce((a, x) => Math.min(a, x.at), Number.POSITIVE_INFINITY);
    return Math.min(next, sms, this.book.nextEdge(this.m, t), command);
  }

  private act(t: number, emit: NetworkEmit): number {
    const silent = this.book.own(this.m, 'device_silent', t);
    if (silent) {
      // No events at all; when it ends the device has rebooted and registers again.
      this.silentUntil = silent.to;
      return silent.to ?? Number.POSITIVE_INFINITY;
    }
    if (this.silentUntil !== null) {
      this.silentUntil = null;
      this.state = 'detached';
      this.session = null;
    }
    const swap = this.book.own(this.m, 'imei_swap', t);
    const imei = swap ? swappedImei(swap, this.m, this.ctx.seed) : this.m.imei;
    if (imei !== this.imei) {
      // The SIM was moved into another device: it drops off the network and registers from the new one.
      if (this.state !== 'detached') emit({ type: 'detach', imei: this.imei, network: this.plmn });
      this.imei = imei;
      this.state = 'detached';
      this.session = null;
      return t + this.r.between(2 * MIN, 10 * MIN);
    }
    const deactivated = this.book.own(this.m, 'sim_deactivated', t)?.cause ?? (this.barred ? 8 : undefined);
    if (deactivated !== undefined && this.state !== 'detached') {
      // The HSS cancels the location of a SIM whose subscription ends.
      emit({ ...this.base(), type: 'detach' });
      this.state = 'detached';
      this.session = null;
      return t + this.r.between(MIN, 5 * MIN);
    }
    if (this.state === 'detached') return this.attach(t, emit, deactivated);
    if (this.state === 'in_session') return this.continueSession(t, emit);
    return this.idle(t, emit);
  }

  /**
   * SMS sent although the plan has SMS off: on its own timer, whatever the data state (attached devices only).
   * Returns the next wake when it sent one and the state machine is not yet due; else null.
   */
  private smsWhileOff(t: number, emit: NetworkEmit): number | null {
    const f = this.book.own(this.m, 'sms_while_off', t);
    if (!f || this.state === 'detached' || this.book.own(this.m, 'device_silent', t)) return null;
    if (t >= this.nextSmsOff) {
      emit({ ...this.base(), type: 'sms_mo' });
      this.nextSmsOff = t + f.every * this.r.between(0.8, 1.2);
      if (t < this.planned) return Math.min(this.planned, this.nextSmsOff);
      return null;
    }
    return t < this.planned ? Math.min(this.planned, this.nextSmsOff) : null;
  }

  private base() {
    return { imei: this.imei, network: this.plmn, rat: this.rat };
  }

  /** Retry delay after a refusal: the 3GPP back-off (T3402, 12 min) grows with repeated failures, up to 1 h. */
  private backoff(): number {
    this.rejectStreak++;
    return Math.min(HOUR, 12 * MIN * 2 ** Math.min(this.rejectStreak - 1, 3)) * this.r.between(0.8, 1.2);
  }

  private attach(t: number, emit: NetworkEmit, deactivatedCause: number | undefined): number {
    if (deactivatedCause !== undefined) {
      emit({ ...this.base(), type: 'attach_rejected', cause: deactivatedCause });
      return t + this.backoff();
    }
    const outage = this.book.inPlmn(plmnCode(this.plmn), t);
    if (outage && outage.mode === 'attach') {
      emit({ ...this.base(), type: 'attach_rejected', cause: roamingCause(outage) });
      this.noteAffected(outage, t);
      // Cause 11/13: the device tries another network; home is always a candidate.
      const others = [this.m.homePlmn, ...this.m.roamingPlmns].filter((p) => plmnCode(p) !== plmnCode(this.plmn));
      if (others.length > 0) this.plmn = this.r.pick(others);
      return t + this.r.between(30_000, 3 * MIN);
    }
    emit({ ...this.base(), type: 'attach' });
    this.rejectStreak = 0;
    this.state = 'idle';
    for (const c of this.heldSms.splice(0)) this.deliverSms(t, emit, c);
    // LTE attach brings up the default bearer: a device told to reconnect has its session within seconds.
    return t + (this.reconnect ? this.r.between(1_000, 10_000) : this.r.between(5_000, 2 * MIN));
  }

  private idle(t: number, emit: NetworkEmit): number {
    if (this.reconnect) {
      this.reconnect = false;
      if (this.m.planServices.data) return this.startSession(t, emit);
    }
    if (t >= this.nextSms) {
      // Mostly network-initiated (wake-up / config SMS); the device answers now and then.
      if (this.r.chance(0.7))
        emit({ ...this.base(), type: 'sms_mt', status: this.r.chance(0.97) ? 'delivered' : 'failed' });
      else emit({ ...this.base(), type: 'sms_mo' });
      this.nextSms = t + this.r.exp(DAY / this.p.smsPerDay);
      return t + this.r.between(10_000, 5 * MIN);
    }
    if (t >= this.nextVoice) {
      emit({ ...this.base(), type: 'voice', seconds: Math.round(this.r.exp(90)) });
      this.nextVoice = t + this.r.exp(DAY / this.p.voicePerDay);
      return t + this.r.between(10_000, 5 * MIN);
    }
    if (t >= this.nextMove) return this.move(t, emit);
    if (!this.m.planServices.data) return t + this.gap(t);
    return this.startSession(t, emit);
  }

  /** A tracker crossing into another country: purge in the old network, register in the new one. */
  private move(t: number, emit: NetworkEmit): number {
    emit({ ...this.base(), type: 'detach' });
    const outagePlmns = this.book.outagePlmns();
    const pool = [...this.m.roamingPlmns, this.m.homePlmn].filter((p) => plmnCode(p) !== plmnCode(this.plmn));
    // Trucks on a route through the outage's country meet it: prefer an outage PLMN now and then.
    const towardOutage = outagePlmns.length > 0 && this.r.chance(0.4);
    this.plmn = towardOutage ? parse(this.r.pick(outagePlmns)) : this.r.pick(pool);
    this.state = 'detached';
    this.nextMove = t + this.r.exp(this.p.moveEvery);
    return t + this.r.between(MIN, 10 * MIN);
  }

  private gap(t: number): number {
    return Math.max(10_000, nextGap(this.p.sessionGap, t, this.r));
  }

  private startSession(t: number, emit: NetworkEmit): number {
    const typo = this.book.own(this.m, 'apn_typo', t);
    const apn = this.apnOverride ?? (typo ? apnTypo(this.m.apn, this.ctx.seed, this.m.iccid) : this.m.apn);
    // APNs compare case-insensitively; anything else than the plan's APN does not exist in the network.
    const wrongApn = apn.toLowerCase() !== this.m.apn.toLowerCase();
    const reject = (cause: number) => {
      emit({ ...this.base(), type: 'session_rejected', apn, cause });
      // A misconfigured device retries every few minutes, forever; others back off.
      return t + (wrongApn ? this.r.between(2 * MIN, 10 * MIN) : this.backoff());
    };
    // 27 "missing or unknown APN": the APN asked for does not exist.
    if (wrongApn) return reject(27);
    const apnDown = this.book.onApn(this.m.apn, t);
    if (apnDown) return reject(apnDown.cause);
    const limit = this.book.own(this.m, 'sim_limit_blocked', t);
    if (limit && this.limitUsed >= limit.limitBytes) return reject(limit.cause);
    const roaming = this.book.inPlmn(plmnCode(this.plmn), t);
    if (roaming && roaming.mode === 'sessions') {
      this.noteAffected(roaming, t);
      return reject(roamingCause(roaming));
    }
    this.rejectStreak = 0;
    this.sessions++;
    const id = `s-${this.ctx.runTag}-${this.m.iccid.slice(-10)}-${this.sessions}`;
    this.session = { id, apn, end: t + this.p.sessionLength(this.r), up: 0, down: 0, last: t };
    this.state = 'in_session';
    const ip = `10.${this.r.int(0, 255)}.${this.r.int(0, 255)}.${this.r.int(1, 254)}`;
    emit({ ...this.base(), type: 'session_start', apn, session_id: id, ip });
    return Math.min(t + this.p.updateEvery, this.session.end);
  }

  private continueSession(t: number, emit: NetworkEmit): number {
    const s = this.session!;
    const secs = (t - s.last) / 1000;
    const rate = this.p.rate(hourOf(t), this.r);
    let up = Math.round(rate.up * secs);
    let down = Math.round(rate.down * secs);
    if (this.book.own(this.m, 'link_saturating', t)) down *= 3;
    const limit = this.book.own(this.m, 'sim_limit_blocked', t);
    let cut = false;
    if (limit) {
      const room = Math.max(0, limit.limitBytes - this.limitUsed);
      if (up + down >= room) {
        // The charging system cuts the session once the limit is used up.
        const share = up + down === 0 ? 0 : room / (up + down);
        up = Math.floor(up * share);
        down = room - up;
        cut = true;
      }
      this.limitUsed += up + down;
    }
    s.up += up;
    s.down += down;
    s.last = t;
    const fields = { ...this.base(), apn: s.apn, session_id: s.id, bytes_up: s.up, bytes_down: s.down };
    if (cut || this.book.onApn(this.m.apn, t) || t >= s.end) {
      emit({ ...fields, type: 'session_end' });
      this.session = null;
      this.state = 'idle';
      return t + (cut ? this.r.between(MIN, 5 * MIN) : this.gap(t));
    }
    emit({ ...fields, type: 'session_update' });
    return Math.min(t + this.p.updateEvery, s.end);
  }

  /** Queues a network command for instant `at` (the engine reschedules this actor then). */
  command(c: SimCommand, at: number): void {
    this.commands.push({ c, at });
    this.gen++;
  }

  /**
   * Applies the commands due at t. Null when none was due; else when the actor wants its next step: sooner when a
   * command changed something, the step it had planned when none did (so a no-op command moves nothing).
   */
  private applyCommands(t: number, emit: NetworkEmit): number | null {
    const due = this.commands.filter((x) => x.at <= t);
    if (due.length === 0) return null;
    this.commands.splice(0, this.commands.length, ...this.commands.filter((x) => x.at > t));
    let wake = Number.POSITIVE_INFINITY;
    for (const { c } of due) wake = Math.min(wake, this.applyCommand(t, emit, c) ?? Number.POSITIVE_INFINITY);
    if (Number.isFinite(wake)) {
      this.planned = wake;
      return wake;
    }
    return Math.max(t + 1, this.planned);
  }

  private applyCommand(t: number, emit: NetworkEmit, c: SimCommand): number | null {
    switch (c.kind) {
      case 'cancel_location':
        // The MME detaches the device (the detach also tears down its session); it registers again at once.
        if (this.state === 'detached') return null;
        emit({ ...this.base(), type: 'detach' });
        this.state = 'detached';
        this.session = null;
        this.rejectStreak = 0;
        this.reconnect = true;
        return t + this.r.between(5_000, 30_000);
      case 'delete_session': {
        const s = this.session;
        if (this.state !== 'in_session' || !s) return null;
        emit({ ...this.base(), type: 'session_end', apn: s.apn, session_id: s.id, bytes_up: s.up, bytes_down: s.down });
        this.session = null;
        this.state = 'idle';
        this.reconnect = true;
        return t + this.r.between(2_000, 20_000);
      }
      case 'sms':
        if (this.state === 'detached') {
          this.heldSms.push(c);
          return null;
        }
        return this.deliverSms(t, emit, c);
      case 'subscription':
        return this.subscription(t, emit, c);
    }
  }

  /** The SMS reaches the device; a configuration SMS sets its APN, and the device reconnects to use it. */
  private deliverSms(t: number, emit: NetworkEmit, c: Extract<SimCommand, { kind: 'sms' }>): number | null {
    emit({ ...this.base(), type: 'sms_mt', status: 'delivered' });
    const apn = deviceApnFromSms(c.text);
    if (apn === null) return null;
    this.apnOverride = apn;
    const typo = this.book.own(this.m, 'apn_typo', t);
    if (typo && apn.toLowerCase() === this.m.apn.toLowerCase())
      this.ctx.cleared({ fault: typo, iccid: this.m.iccid, at: t, by: { command: c.id, kind: 'sms', apn } });
    const s = this.session;
    if (this.state === 'in_session' && s) {
      emit({ ...this.base(), type: 'session_end', apn: s.apn, session_id: s.id, bytes_up: s.up, bytes_down: s.down });
      this.session = null;
      this.state = 'idle';
    }
    this.reconnect = true;
    return t + this.r.between(5_000, 30_000);
  }

  private subscription(t: number, emit: NetworkEmit, c: Extract<SimCommand, { kind: 'subscription' }>): number | null {
    if (c.active) {
      // Active again: the device is no longer refused; it registers at its own next retry (its back-off).
      if (this.barred) this.barred.to = new Date(t).toISOString();
      this.barred = null;
      return null;
    }
    if (this.barred) return null;
    const line: GroundTruth = {
      fault: 'sim_deactivated',
      iccid: this.m.iccid,
      ...(this.m.deviceId ? { deviceId: this.m.deviceId } : {}),
      from: new Date(t).toISOString(),
      to: null,
      expected: { event: 'attach_rejected', cause: 8 },
      causedBy: { command: c.id, kind: 'subscription', active: false },
    };
    this.barred = line;
    this.ctx.affected(line);
    if (this.state === 'detached') return null;
    // The HSS cancels the location of a withdrawn subscription (as sim_deactivated does).
    emit({ ...this.base(), type: 'detach' });
    this.state = 'detached';
    this.session = null;
    return t + this.r.between(MIN, 5 * MIN);
  }

  private noteAffected(f: ActiveFault, t: number) {
    if (this.hit.has(f.index) || f.type !== 'roaming_outage') return;
    this.hit.add(f.index);
    this.ctx.affected({
      fault: f.type,
      iccid: this.m.iccid,
      ...(this.m.deviceId ? { deviceId: this.m.deviceId } : {}),
      plmn: plmnCode(this.plmn),
      from: new Date(t).toISOString(),
      to: f.to === null ? null : new Date(f.to).toISOString(),
      expected: { mode: f.mode, cause: roamingCause(f), firstSeen: new Date(t).toISOString() },
    });
  }
}

const parse = (code: string): Plmn => ({ mcc: code.slice(0, 3), mnc: code.slice(3) });
