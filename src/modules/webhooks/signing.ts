/**
 * Outbound webhook signatures per the Standard Webhooks spec (v1, symmetric):
 *   https://www.standardwebhooks.com
 *   https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 *
 * Every delivery carries `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature`: a space-separated
 * list of `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, one per secret, so the previous secret keeps
 * verifying while receivers move to the new one (zero-downtime rotation). Secrets are shown to customers as
 * `whsec_<base64>`; the HMAC key is the decoded bytes, not the text. Any Standard Webhooks library verifies what
 * sign() produces; verify() is what a receiver does, used by our tests and the "send a test event" check.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError, invalid } from '../../platform/errors.ts';

// Signing's own codes, beside the module's WebhooksErrors (webhooks.errors.ts) until they are merged there.
export const WebhookSigningErrors = {
  secretInvalid: 'webhooks.secret_invalid',
  messageInvalid: 'webhooks.message_invalid',
  headersMissing: 'webhooks.signature_headers_missing',
  timestampInvalid: 'webhooks.timestamp_invalid',
  timestampTooOld: 'webhooks.timestamp_too_old',
  timestampTooNew: 'webhooks.timestamp_too_new',
  signatureMismatch: 'webhooks.signature_mismatch',
} as const;

export const SECRET_PREFIX = 'whsec_';
/** The spec's bounds for a symmetric secret: at least 24 bytes (192 bits), at most 64 (512 bits). */
export const SECRET_MIN_BYTES = 24;
export const SECRET_MAX_BYTES = 64;
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

export type WebhookMessage = {
  /** Stable across retries: receivers use it as the idempotency key. */
  msgId: string;
  /** Unix seconds of this attempt (a retry gets a new one; it is what bounds replays). */
  timestamp: number;
  /** The exact bytes sent as the request body; re-serialising JSON breaks the signature. */
  body: string | Uint8Array;
};

/** A receiver's refusal. `kind` is unauthenticated: the request did not prove it came from us. */
export class WebhookVerificationError extends AppError {
  constructor(code: string, message: string) {
    super('unauthenticated', code, message);
    this.name = 'WebhookVerificationError';
  }
}

/** A fresh secret in the form customers are shown: `whsec_` + base64 of `bytes` random bytes. */
export function newSecret(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < SECRET_MIN_BYTES || bytes > SECRET_MAX_BYTES) {
    throw new RangeError(`A webhook secret has ${SECRET_MIN_BYTES} to ${SECRET_MAX_BYTES} bytes, not ${bytes}`);
  }
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

// Standard base64 with its padding. Node's decoder skips characters it does not know, so without this check a
// mistyped secret would silently become a different key.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The HMAC key of a `whsec_…` secret. The error never repeats the secret: it may end up in a log. */
export function parseSecret(secret: string): Buffer {
  const refuse = (reason: string) =>
    invalid(WebhookSigningErrors.secretInvalid, `Invalid webhook secret: ${reason}`, [{ field: 'secret', reason }]);
  if (!secret.startsWith(SECRET_PREFIX)) throw refuse(`it must start with ${SECRET_PREFIX}`);
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (encoded === '' || !BASE64.test(encoded)) throw refuse(`the part after ${SECRET_PREFIX} must be base64`);
  const key = Buffer.from(encoded, 'base64');
  if (key.length < SECRET_MIN_BYTES || key.length > SECRET_MAX_BYTES) {
    throw refuse(`it decodes to ${key.length} bytes; ${SECRET_MIN_BYTES} to ${SECRET_MAX_BYTES} are required`);
  }
  return key;
}

// The spec forbids '.' in the id (it delimits the signed content); header-safe characters only, since the id is
// sent as a header value.
const MSG_ID = /^[A-Za-z0-9_-]{1,255}$/;

function checkMessage(msgId: string, timestamp: number): void {
  const problems = [];
  if (!MSG_ID.test(msgId)) problems.push({ field: 'msgId', value: msgId, reason: 'letters, digits, _ or -, 1-255' });
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    problems.push({ field: 'timestamp', value: timestamp, reason: 'whole unix seconds, not negative' });
  }
  if (problems.length > 0) {
    throw invalid(WebhookSigningErrors.messageInvalid, 'Cannot sign this webhook message', problems);
  }
}

/** base64 HMAC-SHA256 of `{msgId}.{timestamp}.{body}`: the part after `v1,`. */
function signature(key: Uint8Array, msgId: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac('sha256', key).update(`${msgId}.${timestamp}.`).update(body).digest('base64');
}

/**
 * The three headers of one delivery attempt. `secrets` are the endpoint's current secret first, then any previous
 * one still inside its rotation window; each gives one `v1,` entry.
 */
export function sign(message: WebhookMessage, secrets: readonly string[]): WebhookHeaders {
  const { msgId, timestamp, body } = message;
  checkMessage(msgId, timestamp);
  if (secrets.length === 0) {
    throw invalid(WebhookSigningErrors.secretInvalid, 'At least one secret is needed to sign a webhook');
  }
  const signatures = secrets.map((s) => `v1,${signature(parseSecret(s), msgId, timestamp, body)}`);
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatures.join(' '),
  };
}

/** Header values as a receiver gets them: Node's IncomingHttpHeaders, a plain record, or a Fetch `Headers`. */
export type ReceivedHeaders = Record<string, string | string[] | undefined> | { get(name: string): string | null };

function header(headers: ReceivedHeaders, name: keyof WebhookHeaders): string | undefined {
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  for (const [key, value] of Object.entries(record)) {
    // A repeated header is ambiguous (which one was signed?), so it counts as missing.
    if (key.toLowerCase() === name) return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

export type VerifyOptions = {
  /** How far the timestamp may be from `now`, either way; the spec's libraries use five minutes. */
  toleranceSeconds?: number;
  now?: Date;
};

/**
 * What a receiver does: the timestamp within tolerance (replay defence), then any `v1` entry equal, in constant
 * time, to our own signature. Returns the verified id and timestamp (the id is the idempotency key); throws
 * WebhookVerificationError with the reason otherwise. Unknown versions (`v1a`, `v2`) are skipped, as the spec asks.
 */
export function verify(
  headers: ReceivedHeaders,
  body: string | Uint8Array,
  secret: string,
  options: VerifyOptions = {},
): { msgId: string; timestamp: number } {
  const key = parseSecret(secret);
  const msgId = header(headers, 'webhook-id');
  const timestampText = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!msgId || !timestampText || !signatures) {
    throw new WebhookVerificationError(
      WebhookSigningErrors.headersMissing,
      'webhook-id, webhook-timestamp and webhook-signature are all required, once each',
    );
  }

  // Digits only: parseInt would read "1614265330abc" as a valid timestamp.
  if (!/^\d{1,15}$/.test(timestampText)) {
    throw new WebhookVerificationError(WebhookSigningErrors.timestampInvalid, 'webhook-timestamp is not unix seconds');
  }
  const timestamp = Number(timestampText);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (now - timestamp > tolerance) {
    throw new WebhookVerificationError(WebhookSigningErrors.timestampTooOld, 'webhook-timestamp is too old');
  }
  if (timestamp - now > tolerance) {
    throw new WebhookVerificationError(WebhookSigningErrors.timestampTooNew, 'webhook-timestamp is in the future');
  }

  const expected = Buffer.from(signature(key, msgId, timestamp, body));
  let matched = false;
  for (const entry of signatures.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const candidate = Buffer.from(entry.slice(comma + 1));
    // The length of a v1 signature is public (44 characters); only the content is compared in constant time.
    // No early exit either, so the position of the matching entry does not show in the timing.
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
  }
  if (!matched) {
    throw new WebhookVerificationError(WebhookSigningErrors.signatureMismatch, 'No webhook-signature matches');
  }
  return { msgId, timestamp };
}
