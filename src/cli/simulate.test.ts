import { describe, expect, it } from 'vitest';
import { defaultUrl } from './simulate.ts';

describe('iotops simulate without --url', () => {
  it('feeds the iotops of this configuration: IOTOPS_MQTT_PORT / PORT, a wildcard host on loopback', () => {
    const c = { host: '0.0.0.0', port: 8090, mqttPort: 1993 };
    expect(defaultUrl('mqtt', c)).toBe('mqtt://127.0.0.1:1993');
    expect(defaultUrl('http', c)).toBe('http://127.0.0.1:8090');
    expect(defaultUrl('mqtt', { ...c, host: '10.0.0.5' })).toBe('mqtt://10.0.0.5:1993');
    expect(defaultUrl('http', { ...c, host: '::1' })).toBe('http://[::1]:8090');
  });
});
