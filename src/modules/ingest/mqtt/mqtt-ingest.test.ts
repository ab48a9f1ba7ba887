import { describe, expect, it } from 'vitest';
import { parseIngestTopic } from './mqtt-ingest.ts';

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
