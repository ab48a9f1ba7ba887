import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { parseNetworkEvent, parseTelemetry, splitMqttPayload } from '../src/modules/ingest/contract.ts';
import { cliEnv, runCli } from './support/cli.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'iotops-sim-'));
const env = cliEnv();
const scenario = path.resolve(import.meta.dirname, '../examples/scenarios/every-fault.json');

describe('iotops simulate (black-box, Mosquitto at 127.0.0.1:1883)', () => {
  it('publishes contract records for a synthetic fleet with every fault and writes the ground truth', async () => {
    const seed = 1000 + Math.floor(Math.random() * 100_000);
    const truthFile = path.join(dir, 'truth.ndjson');
    const sub = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { protocolVersion: 5 });
    const ids = new Set<string>();
    let invalid = 0;
    sub.on('message', (topic, payload) => {
      const iccid = /^iotops\/v1\/network\/(\d+)$/.exec(topic)?.[1];
      const deviceId = /^iotops\/v1\/devices\/(.+)\/telemetry$/.exec(topic)?.[1];
      for (const l of splitMqttPayload(payload)) {
        if (!('value' in l)) continue;
        const id = (l.value as { id?: string }).id ?? '';
        if (!id.startsWith(`sim-${seed}-`)) continue; // other producers may share the broker
        const p = iccid
          ? parseNetworkEvent(l.value, { topicIccid: iccid })
          : parseTelemetry(l.value, { topicDeviceId: deviceId! });
        if (!p.ok) invalid++;
        ids.add(id);
      }
    });
    // QoS 0 towards this subscriber: Mosquitto drops QoS 1 messages beyond 1000 queued for a slow client.
    await sub.subscribeAsync(['iotops/v1/network/+', 'iotops/v1/devices/+/telemetry'], { qos: 0 });
    const res = await runCli(
      [
        'simulate',
        '--synthetic',
        '200',
        '--speed',
        '18000',
        '--duration',
        '3s',
        '--seed',
        String(seed),
        '--batch',
        '3',
        '--scenario',
        scenario,
        '--ground-truth',
        truthFile,
        '--json',
      ],
      env,
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const summary = JSON.parse(res.stdout) as {
      published: number;
      acked: number;
      failed: number;
      faults: number;
      network: number;
      telemetry: number;
    };
    expect(summary.published).toBeGreaterThan(1000);
    expect(summary).toMatchObject({ acked: summary.published, failed: 0, faults: 12 });
    expect(summary.network + summary.telemetry, res.stdout).toBe(summary.published);
    await expect.poll(() => ids.size, { timeout: 10_000 }).toBe(summary.published);
    await sub.endAsync();
    expect(invalid).toBe(0);

    const truth = readFileSync(truthFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { fault: string; iccid?: string; from: string });
    const faults = new Set(truth.map((t) => t.fault));
    for (const f of [
      'apn_typo',
      'roaming_outage',
      'sim_deactivated',
      'sim_limit_blocked',
      'apn_outage',
      'imei_swap',
      'device_silent',
      'sms_while_off',
      'wear_degrading',
      'link_saturating',
      'stock_draining',
    ])
      expect(faults).toContain(f);
    expect(truth.filter((t) => t.fault === 'roaming_outage' && t.iccid).length).toBeGreaterThan(0);
  }, 90_000); // a CLI process publishing 1,000+ QoS 1 messages: ~5 s alone, past 30 s once on a loaded 2-core CI

  it('exit 2 naming the option and value for bad options, and the path for a bad scenario', async () => {
    const bad = await runCli(['simulate', '--synthetic', '5', '--speed', '-3', '--mix', 'meter=1,robot=2'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: --speed ("-3"): Too small');
    expect(bad.stderr).toContain('error: --mix ("meter=1,robot=2"): unknown class "robot"');
    const token = await runCli(['simulate', '--synthetic', '5', '--token', 'x'], env);
    expect(token.code).toBe(2);
    expect(token.stderr).toContain('error: --token ("x"): is for --transport http');

    const future = await runCli(
      ['simulate', '--synthetic', '5', '--speed', '60', '--duration', '1h', '--start', '-1h'],
      env,
    );
    expect(future.code).toBe(2);
    expect(future.stderr).toContain('error: --start ("-1h"): at --speed 60 the run would reach');

    const file = path.join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ faults: [{ type: 'apn_typo', target: { iccid: '89460990000000000000' }, start: '+1m' }] }),
    );
    const sc = await runCli(['simulate', '--synthetic', '5', '--scenario', file], env);
    expect(sc.code).toBe(2);
    expect(sc.stderr).toContain('faults[0].target.iccid ("89460990000000000000"): is not in the simulated fleet');
  }, 90_000); // several CLI runs, each a Node process start (~5–10 s on a loaded 2-core CI machine)
});
