import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.ts';
import { newSecret, parseSecret, sign, verify, WebhookSigningErrors, WebhookVerificationError } from './signing.ts';

// The test vector published with the official Standard Webhooks libraries (the same values in
// libraries/javascript/src/webhook.test.ts "sign function works" and libraries/python/tests/test_webhooks.py
// test_sign_function, github.com/standard-webhooks/standard-webhooks). Matching it is what proves that receivers
// using those libraries accept our signatures.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  msgId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const atVector = { now: new Date(VECTOR.timestamp * 1000) };
const vectorMessage = { msgId: VECTOR.msgId, timestamp: VECTOR.timestamp, body: VECTOR.body };

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (e) {
    return e instanceof AppError ? e.code : `not an AppError: ${String(e)}`;
  }
  return undefined;
}

describe('the Standard Webhooks test vector', () => {
  it('signs it exactly as the official libraries do', () => {
    expect(sign(vectorMessage, [VECTOR.secret])).toEqual({
      'webhook-id': VECTOR.msgId,
      'webhook-timestamp': '1614265330',
      'webhook-signature': VECTOR.signature,
    });
  });

  it('verifies the published signature', () => {
    const headers = {
      'webhook-id': VECTOR.msgId,
      'webhook-timestamp': String(VECTOR.timestamp),
      'webhook-signature': VECTOR.signature,
    };
    expect(verify(headers, VECTOR.body, VECTOR.secret, atVector)).toEqual({
      msgId: VECTOR.msgId,
      timestamp: VECTOR.timestamp,
    });
  });

  it('signs the body bytes, whether given as text or as a Buffer', () => {
    const fromBytes = sign({ ...vectorMessage, body: Buffer.from(VECTOR.body) }, [VECTOR.secret]);
    expect(fromBytes['webhook-signature']).toBe(VECTOR.signature);
  });
});

describe('secrets', () => {
  it('newSecret gives whsec_ + base64 of 32 random bytes by default, 24 to 64 on request', () => {
    const a = newSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(parseSecret(a)).toHaveLength(32);
    expect(parseSecret(newSecret(24))).toHaveLength(24);
    expect(parseSecret(newSecret(64))).toHaveLength(64);
    expect(newSecret()).not.toBe(a);
    expect(() => newSecret(23)).toThrow(RangeError);
    expect(() => newSecret(65)).toThrow(RangeError);
  });

  it('parseSecret returns the decoded key', () => {
    expect(parseSecret(VECTOR.secret).toString('base64')).toBe('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
  });

  it.each([
    ['no prefix', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'must start with whsec_'],
    ['another scheme prefix', 'whsk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'must start with whsec_'],
    ['nothing after the prefix', 'whsec_', 'must be base64'],
    ['not base64', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa!w', 'must be base64'],
    ['bad padding', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS', 'must be base64'],
    ['too short', `whsec_${Buffer.alloc(23).toString('base64')}`, 'decodes to 23 bytes'],
    ['too long', `whsec_${Buffer.alloc(65).toString('base64')}`, 'decodes to 65 bytes'],
  ])('parseSecret refuses %s, without repeating the secret', (_, secret, reason) => {
    try {
      parseSecret(secret);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      const err = e as AppError;
      expect(err.kind).toBe('invalid');
      expect(err.code).toBe(WebhookSigningErrors.secretInvalid);
      expect(err.message).toContain(reason);
      const encoded = secret.replace(/^whsec_/, '');
      if (encoded.length >= 8) expect(JSON.stringify([err.message, err.details])).not.toContain(encoded);
    }
  });
});

describe('sign', () => {
  it('rotation: one v1 entry per secret, current first, each verifying with its own secret', () => {
    const previous = newSecret();
    const current = newSecret();
    const headers = sign(vectorMessage, [current, previous]);
    const entries = headers['webhook-signature'].split(' ');
    expect(entries).toHaveLength(2);
    for (const entry of entries) expect(entry).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(entries[0]).toBe(sign(vectorMessage, [current])['webhook-signature']);
    expect(entries[1]).toBe(sign(vectorMessage, [previous])['webhook-signature']);
    // A receiver still on the old secret and one already on the new one both accept the same delivery.
    expect(verify(headers, VECTOR.body, previous, atVector).msgId).toBe(VECTOR.msgId);
    expect(verify(headers, VECTOR.body, current, atVector).msgId).toBe(VECTOR.msgId);
  });

  it('computes HMAC-SHA256 over "{id}.{timestamp}.{body}" with the decoded key', () => {
    const secret = newSecret();
    const body = '{"type":"case.opened","data":{"id":7}}';
    const expected = createHmac('sha256', parseSecret(secret)).update(`msg_1.1700000000.${body}`).digest('base64');
    expect(sign({ msgId: 'msg_1', timestamp: 1700000000, body }, [secret])['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('refuses ids that could shift the signed content or break the header, and bad timestamps', () => {
    for (const msgId of ['', 'msg.1', 'msg 1', 'msg\r\nx: y', 'x'.repeat(256)]) {
      expect(codeOf(() => sign({ ...vectorMessage, msgId }, [VECTOR.secret]))).toBe(
        WebhookSigningErrors.messageInvalid,
      );
    }
    for (const timestamp of [-1, 1.5, Number.NaN, 2 ** 60]) {
      expect(codeOf(() => sign({ ...vectorMessage, timestamp }, [VECTOR.secret]))).toBe(
        WebhookSigningErrors.messageInvalid,
      );
    }
  });

  it('needs at least one secret, each of them valid', () => {
    expect(codeOf(() => sign(vectorMessage, []))).toBe(WebhookSigningErrors.secretInvalid);
    expect(codeOf(() => sign(vectorMessage, [VECTOR.secret, 'oops']))).toBe(WebhookSigningErrors.secretInvalid);
  });
});

describe('verify', () => {
  const secret = newSecret();
  const now = new Date('2025-06-01T12:00:00Z');
  const timestamp = now.getTime() / 1000;
  const body = '{"type":"sim.suspended","data":{"iccid":"8931000000000000001"}}';
  const signed = sign({ msgId: 'msg_2x', timestamp, body }, [secret]);
  const refusal = (headers: Parameters<typeof verify>[0], b = body, s = secret, at = now) =>
    codeOf(() => verify(headers, b, s, { now: at }));

  it('accepts a good delivery and names its id', () => {
    expect(verify(signed, body, secret, { now })).toEqual({ msgId: 'msg_2x', timestamp });
  });

  it('refuses a tampered body, a wrong secret, a changed id or timestamp', () => {
    expect(refusal(signed, body.replace('1"', '2"'))).toBe(WebhookSigningErrors.signatureMismatch);
    expect(refusal(signed, `${body} `)).toBe(WebhookSigningErrors.signatureMismatch);
    expect(refusal(signed, body, newSecret())).toBe(WebhookSigningErrors.signatureMismatch);
    expect(refusal({ ...signed, 'webhook-id': 'msg_2y' })).toBe(WebhookSigningErrors.signatureMismatch);
    expect(refusal({ ...signed, 'webhook-timestamp': String(timestamp + 1) })).toBe(
      WebhookSigningErrors.signatureMismatch,
    );
  });

  it('refuses timestamps outside the tolerance, on both sides, and accepts its edges', () => {
    const at = (deltaSeconds: number) => new Date(now.getTime() + deltaSeconds * 1000);
    expect(refusal(signed, body, secret, at(301))).toBe(WebhookSigningErrors.timestampTooOld);
    expect(refusal(signed, body, secret, at(-301))).toBe(WebhookSigningErrors.timestampTooNew);
    expect(refusal(signed, body, secret, at(300))).toBeUndefined();
    expect(refusal(signed, body, secret, at(-300))).toBeUndefined();
    expect(codeOf(() => verify(signed, body, secret, { now: at(61), toleranceSeconds: 60 }))).toBe(
      WebhookSigningErrors.timestampTooOld,
    );
  });

  it('refuses timestamps that are not plain unix seconds', () => {
    for (const t of ['hello', '1748779200abc', '-1748779200', '1748779200.5', ' 1748779200', '1e9']) {
      expect(refusal({ ...signed, 'webhook-timestamp': t })).toBe(WebhookSigningErrors.timestampInvalid);
    }
  });

  it('refuses missing or repeated headers', () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const { [name]: _, ...rest } = signed;
      expect(refusal(rest as typeof signed)).toBe(WebhookSigningErrors.headersMissing);
      expect(refusal({ ...signed, [name]: [signed[name], signed[name]] })).toBe(WebhookSigningErrors.headersMissing);
    }
  });

  it('reads header names case-insensitively and from a Fetch Headers object', () => {
    const shouting = Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toUpperCase(), v]));
    expect(refusal(shouting)).toBeUndefined();
    expect(verify(new Headers(signed), body, secret, { now }).msgId).toBe('msg_2x');
  });

  it('finds the v1 entry among others, skipping unknown versions and malformed entries', () => {
    const ours = signed['webhook-signature'];
    const theirs = ours.slice(3);
    const list = [`v1a,${theirs}`, `v2,${theirs}`, 'garbage', 'v1,', `v1,${'A'.repeat(43)}=`, ours].join(' ');
    expect(refusal({ ...signed, 'webhook-signature': list })).toBeUndefined();
    expect(refusal({ ...signed, 'webhook-signature': `v2,${theirs}` })).toBe(WebhookSigningErrors.signatureMismatch);
    expect(refusal({ ...signed, 'webhook-signature': ours.slice(0, 20) })).toBe(WebhookSigningErrors.signatureMismatch);
  });

  it('throws a typed error a receiver maps to 401', () => {
    try {
      verify({ ...signed, 'webhook-signature': 'v1,AAAA' }, body, secret, { now });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WebhookVerificationError);
      expect((e as WebhookVerificationError).kind).toBe('unauthenticated');
    }
  });
});
