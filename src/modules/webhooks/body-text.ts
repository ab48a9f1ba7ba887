/**
 * The bytes of a message body. A delivery's body is stored as jsonb, which keeps an object's keys shorter first,
 * then bytewise, not in the order they were written. The first attempt is made from the body in hand and a retry
 * from the stored one: both are serialised in jsonb's key order, so every attempt of a message sends the same
 * bytes (receivers may compare them, and the delivery log shows what was sent).
 */
export function bodyText(body: unknown): string {
  return JSON.stringify(inJsonbOrder(body));
}

function inJsonbOrder(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(inJsonbOrder);
  if (v === null || typeof v !== 'object' || v instanceof Date) return v;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  entries.sort(([a], [b]) => compareKeys(a, b));
  return Object.fromEntries(entries.map(([k, x]) => [k, inJsonbOrder(x)]));
}

/** PostgreSQL's lengthCompareJsonbString: byte length first, then the bytes. */
function compareKeys(a: string, b: string): number {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length - y.length || Buffer.compare(x, y);
}
