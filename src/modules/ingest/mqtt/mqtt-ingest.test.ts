import { describe, expect, it } from 'vitest';
import { forLog, parseIngestTopic } from './mqtt-ingest.ts';

describe('ingest topics', () => {
  it('reads the id of the two contract topics', () => {
    expect(parseIngestTopic('iotops/v1/network/89467010000000000008')).toEqual({
      kind: 'network',
      iccid: '89467010000000000008',
    });
    expect(parseIngestTopic('iotops/v1/devices/press-0042/telemetry')).toEqual({
      kind: 'telemetry',
      deviceId: 'press-0042',
    });
  });

  it('leaves a malformed id to the record parser (a rejected record, not a refused publish)', () => {
    expect(parseIngestTopic('iotops/v1/network/not-an-iccid')).toEqual({ kind: 'network', iccid: 'not-an-iccid' });
  });

  it('knows nothing else', () => {
    for (const t of [
      'iotops/v1/network/',
      'iotops/v1/network/8946/extra',
      'iotops/v2/network/89467010000000000008',
      'iotops/v1/devices//telemetry',
      'iotops/v1/devices/press-0042',
      'iotops/v1/devices/press-0042/status',
      '/iotops/v1/network/89467010000000000008',
      '$SYS/broker/uptime',
    ])
      expect(parseIngestTopic(t), t).toBeNull();
  });
});

describe('values from producers in log lines', () => {
  it('are cut: a 64 KB topic or an error quoting a huge record stays a short log field', () => {
    const topic = `iotops/v1/network/${'x'.repeat(65_000)}`;
    expect((forLog(topic) as string).length).toBeLessThanOrEqual(201);
    const error = { code: 'record.invalid', message: 'bad', details: [{ value: 'y'.repeat(100_000) }] };
    expect(JSON.stringify(forLog(error)).length).toBeLessThan(300);
    expect(forLog('short')).toBe('short');
    expect(forLog({ line: 3 })).toEqual({ line: 3 });
  });
});
