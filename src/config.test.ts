import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('config', () => {
  it('runs with no environment at all (embedded defaults)', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toMatch(/data$/);
  });

  it('lists every bad variable with its value at once', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' })).toThrowError(
      ConfigError,
    );
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toContain('PORT="eighty"');
      expect(msg).toContain('DATABASE_URL="mysql://x"');
      expect(msg).toContain('LOG_LEVEL="loud"');
    }
  });

  it('runs the embedded MQTT broker on 1883 unless MQTT_URL names an external one', () => {
    const c = loadConfig({});
    expect([c.mqttPort, c.mqttUrl, c.mqttShareGroup]).toEqual([1883, undefined, 'iotops']);
    expect(c.mqttClientId).toMatch(/^iotops-./);
    const ext = loadConfig({
      MQTT_URL: 'mqtt://u:p@broker:1883',
      MQTT_SHARE_GROUP: 'east',
      MQTT_CLIENT_ID: 'iotops-1',
    });
    expect([ext.mqttUrl, ext.mqttShareGroup, ext.mqttClientId]).toEqual(['mqtt://u:p@broker:1883', 'east', 'iotops-1']);
    expect(() => loadConfig({ MQTT_URL: 'broker:1883', MQTT_SHARE_GROUP: 'a/b', IOTOPS_MQTT_PORT: '70000' })).toThrow(
      /IOTOPS_MQTT_PORT="70000"[\s\S]*MQTT_URL="broker:1883"[\s\S]*MQTT_SHARE_GROUP="a\/b"/,
    );
  });

  it('reads MAIL_PARTNERS as JSON and names what is wrong in it', () => {
    const c = loadConfig({
      MAIL_PARTNERS: '[{"provider":"Telia","domains":["Telia.example"],"ticket":"INC\\\\d{6}"}]',
    });
    expect(c.mailPartners).toHaveLength(1);
    expect(c.mailPartners[0]).toMatchObject({ provider: 'Telia', domains: ['telia.example'] });
    expect(c.mailPartners[0]!.ticket.test('Update INC004242')).toBe(true);
    expect(loadConfig({}).mailPartners).toEqual([]);
    expect(() => loadConfig({ MAIL_PARTNERS: '{' })).toThrow(/MAIL_PARTNERS[\s\S]*not JSON/);
    expect(() => loadConfig({ MAIL_PARTNERS: '[{"provider":"T","domains":["x"],"ticket":"a"}]' })).toThrow(
      /0\.domains\.0: a mail domain/,
    );
    expect(() => loadConfig({ MAIL_PARTNERS: '[{"provider":"T","domains":["t.example"],"ticket":"("}]' })).toThrow(
      /0\.ticket: Invalid regular expression/,
    );
  });

  it('reads IMAP_URL into a mailbox (decoded credentials, default port and INBOX) and never shows its password', () => {
    const off = loadConfig({});
    expect([off.imapMailbox, off.imapAddress, off.imapPollSeconds]).toEqual([undefined, undefined, 60]);
    const c = loadConfig({
      IMAP_URL: 'imaps://desk%40provider.example:p%3As%2Fw@mail.provider.example/Support%2FInbound',
      IMAP_ADDRESS: 'Support@Desk.Example',
      IMAP_POLL_SECONDS: '30',
    });
    expect(c.imapMailbox).toEqual({
      secure: true,
      host: 'mail.provider.example',
      port: 993,
      user: 'desk@provider.example',
      pass: 'p:s/w',
      mailbox: 'Support/Inbound',
    });
    expect([c.imapAddress, c.imapPollSeconds]).toEqual(['support@desk.example', 30]);
    expect(loadConfig({ IMAP_URL: 'imap://u:p@[::1]:1143' }).imapMailbox).toMatchObject({
      secure: false,
      host: '::1',
      port: 1143,
      mailbox: 'INBOX',
    });
    const bad = (env: Record<string, string>) => () => loadConfig(env);
    expect(bad({ IMAP_URL: 'pop3://u:p@host/INBOX' })).toThrow(
      /IMAP_URL="pop3:.*must start with imap:\/\/ or imaps:\/\//,
    );
    expect(bad({ IMAP_URL: 'imap://host/INBOX' })).toThrow(/names no user and password/);
    expect(bad({ IMAP_URL: 'imap://u:p@host/INBOX?x=1' })).toThrow(/takes no \?query/);
    expect(bad({ IMAP_POLL_SECONDS: '1', IMAP_ADDRESS: 'nobody' })).toThrow(
      /IMAP_ADDRESS="nobody"[\s\S]*IMAP_POLL_SECONDS="1"/,
    );
    expect(bad({ IMAP_URL: 'ftp://u:secret@host/' })).toThrow(/IMAP_URL="ftp:\/\/u:\*\*\*@host\/"/);
    expect(bad({ IMAP_URL: 'ftp://u:secret@host/' })).not.toThrow(/secret/);
  });
});
