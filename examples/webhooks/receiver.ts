/**
 * A webhook receiver for iotops in TypeScript, with nothing but Node's standard library (Node 18+):
 *   WEBHOOK_SECRET=whsec_… node receiver.ts        (Node 22.6+ runs .ts; or rename to .mjs and drop the types)
 * It verifies the Standard Webhooks signature (https://www.standardwebhooks.com) on the raw body before trusting
 * anything, refuses stale timestamps (replays), answers 2xx quickly and deduplicates on webhook-id (a message is
 * delivered at least once: retries and redeliveries carry the same id).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const TOLERANCE_SECONDS = 5 * 60;

export function verifyWebhook(
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  secret: string,
  now = Date.now(),
): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`).digest();
  // During a secret rotation a message carries one signature per secret: any v1 match will do.
  return signatures.split(' ').some((entry) => {
    const [version, sig] = entry.split(',');
    if (version !== 'v1' || !sig) return false;
    const given = Buffer.from(sig, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const seen = new Set<string>(); // use your database in production: the id is the idempotency key

if (process.argv[1]?.endsWith('receiver.ts') || process.argv[1]?.endsWith('receiver.mjs')) {
  const secret = process.env.WEBHOOK_SECRET ?? '';
  createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      if (!verifyWebhook(req.headers, body, secret)) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(204).end(); // answer first, work after: a slow answer is retried as a failure
      const id = String(req.headers['webhook-id']);
      if (seen.has(id)) return;
      seen.add(id);
      const message = JSON.parse(body) as { type: string; timestamp: string; data: unknown };
      console.log(message.type, JSON.stringify(message.data));
    });
  }).listen(Number(process.env.PORT ?? 8787));
}
