/**
 * The receiver examples customers copy (examples/webhooks: TypeScript and Python) accept what iotops signs — with
 * one secret and, during a rotation, with two — and refuse a tampered body, a wrong secret and a stale timestamp.
 * The signatures are made by the server's own signer (src/modules/webhooks/signing.ts), whose output matches the
 * Standard Webhooks spec's published test vector (signing.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { verifyWebhook } from '../examples/webhooks/receiver.ts';
import { newSecret, sign } from '../src/modules/webhooks/signing.ts';

const secret = newSecret();
const previous = newSecret();
const body = JSON.stringify({
  type: 'case.opened',
  timestamp: '2026-12-05T10:00:00.000Z',
  data: { case: { number: 'C-2026-000001' } },
});
const now = Date.now();
const timestamp = Math.floor(now / 1000);
const headers = sign({ msgId: 'msg_test1', timestamp, body }, [secret, previous]);
const cases: [string, Record<string, string>, string, string, number, boolean][] = [
  ['signed with the current secret', headers, body, secret, now, true],
  ['signed with the previous secret (rotation)', headers, body, previous, now, true],
  ['a tampered body', headers, body.replace('000001', '000002'), secret, now, false],
  ['a wrong secret', headers, body, newSecret(), now, false],
  ['a stale timestamp (replay)', headers, body, secret, now + 3_600_000, false],
];

describe('webhook receiver examples', () => {
  it.each(cases)('TypeScript: %s', (_what, h, b, s, at, ok) => {
    expect(verifyWebhook(h, b, s, at)).toBe(ok);
  });

  it.each(cases)('Python: %s', (_what, h, b, s, at, ok) => {
    const script = `
import json, sys
sys.path.insert(0, 'examples/webhooks')
from receiver import verify_webhook
a = json.loads(sys.stdin.read())
print(verify_webhook(a['headers'], a['body'].encode(), a['secret'], a['now']))`;
    const out = execFileSync('python3', ['-c', script], {
      input: JSON.stringify({ headers: h, body: b, secret: s, now: at / 1000 }),
      encoding: 'utf8',
    });
    expect(out.trim()).toBe(ok ? 'True' : 'False');
  });
});
