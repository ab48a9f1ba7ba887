/**
 * The ingest bench's MQTT load, forked by bench/ingest.bench.ts so it never shares an event loop with what is
 * measured. One job per message:
 *  - `publish`: contract network events for SIMs 0..sims-1 (ICCID body `89460` + 14 digits), each SIM walking
 *    attach → session_start → session_update (cumulative bytes) … → session_end, paced at `rate` events/s for
 *    `seconds`, QoS 1, at most `inflight` unacknowledged publishes;
 *  - `subscribe`: the raw baseline, a subscriber that counts and discards what the broker delivers.
 * Answers its figures as a message back.
 */
import mqtt from 'mqtt';
import { mulberry32 } from '../src/platform/random.ts';

export type PublishJob = {
  job: 'publish';
  url: string;
  username?: string;
  password?: string;
  sims: number;
  /** This publisher's share of the SIMs: index % of === nth. */
  nth: number;
  of: number;
  rate: number;
  seconds: number;
  inflight: number;
  seed: number;
};
export type SubscribeJob = { job: 'subscribe'; url: string; topic: string; seconds: number };
export type PublishFigures = { published: number; acked: number; seconds: number };
export type SubscribeFigures = { received: number; seconds: number; firstAt: number; lastAt: number };

export const iccidOf = (i: number) => `89460${String(i).padStart(14, '0')}`;

async function publish(j: PublishJob): Promise<PublishFigures> {
  const client = await mqtt.connectAsync(j.url, {
    username: j.username,
    password: j.password,
    clientId: `bench-pub-${process.pid}`,
    clean: true,
    reconnectPeriod: 0,
  });
  const rand = mulberry32(j.seed);
  const mine = Math.floor((j.sims - j.nth + j.of - 1) / j.of);
  // Per SIM: 0 = not attached, 1 = attached, 2+ = in a session (bytes so far = step * 4 KiB).
  const step = new Uint16Array(mine);
  const session = new Uint32Array(mine);
  let seq = 0;
  let published = 0;
  let acked = 0;
  let outstanding = 0;
  const network = { mcc: '240', mnc: '07' };
  const next = () => {
    const k = Math.floor(rand() * mine);
    const iccid = iccidOf(k * j.of + j.nth);
    const ts = new Date().toISOString();
    const id = `b${process.pid}-${seq++}`;
    const s = step[k]!;
    let ev: Record<string, unknown>;
    if (s === 0) ev = { id, ts, type: 'attach', network, rat: 'LTE-M', imei: '351000000000005' };
    else if (s === 1) {
      session[k]! += 1;
      ev = {
        id,
        ts,
        type: 'session_start',
        network,
        rat: 'LTE-M',
        apn: 'iot.example',
        session_id: `s${session[k]}`,
        ip: '10.1.2.3',
      };
    } else {
      const bytes = (s - 1) * 4096;
      const end = s >= 6;
      ev = {
        id,
        ts,
        type: end ? 'session_end' : 'session_update',
        network,
        apn: 'iot.example',
        session_id: `s${session[k]}`,
        bytes_up: bytes,
        bytes_down: bytes * 3,
      };
    }
    step[k] = s >= 6 ? 1 : s + 1;
    return { topic: `iotops/v1/network/${iccid}`, body: JSON.stringify(ev) };
  };
  const started = performance.now();
  const end = started + j.seconds * 1000;
  const tickMs = 10;
  let due = 0;
  let lastTick = started;
  while (performance.now() < end) {
    // Credit by the time that really passed: on a loaded machine a 10 ms timer fires late, and counting it as
    // 10 ms published ~15 % under the asked pace.
    const now = performance.now();
    due += (j.rate * (now - lastTick)) / 1000;
    lastTick = now;
    while (due >= 1 && outstanding < j.inflight) {
      due -= 1;
      const m = next();
      outstanding++;
      published++;
      client.publish(m.topic, m.body, { qos: 1 }, () => {
        outstanding--;
        acked++;
      });
    }
    // Falling behind the pace (in-flight window full) is not made up later: the rate is a ceiling.
    if (due > j.rate) due = j.rate;
    await new Promise((r) => setTimeout(r, tickMs));
  }
  const seconds = (performance.now() - started) / 1000;
  const deadline = Date.now() + 10_000;
  while (outstanding > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await client.endAsync();
  return { published, acked, seconds };
}

async function subscribe(j: SubscribeJob): Promise<SubscribeFigures> {
  const client = await mqtt.connectAsync(j.url, { clientId: `bench-raw-${process.pid}`, clean: true });
  let received = 0;
  let firstAt = 0;
  let lastAt = 0;
  client.on('message', () => {
    const now = performance.now();
    if (received === 0) firstAt = now;
    lastAt = now;
    received++;
  });
  await client.subscribeAsync(j.topic, { qos: 1 });
  process.send?.({ ready: true });
  await new Promise((r) => setTimeout(r, j.seconds * 1000 + 3000));
  await client.endAsync();
  return { received, seconds: (lastAt - firstAt) / 1000, firstAt, lastAt };
}

process.on('message', async (m: PublishJob | SubscribeJob) => {
  const figures = m.job === 'publish' ? await publish(m) : await subscribe(m);
  process.send?.(figures);
});
