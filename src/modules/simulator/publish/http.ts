/**
 * HTTP publisher: NDJSON batches to the two ingest endpoints with the ingest credential as Bearer token, reading
 * iotops's answer { accepted, duplicates, rejected: [{ line, error }], rejectedTotal? } (a long `rejected` list is
 * cut, and `rejectedTotal` then counts every rejection). Server errors and network failures are
 * retried (the records carry ids, so a retry of a batch that was in fact stored only yields duplicates);
 * 401/403 stop the run: nothing would ever get through.
 */
import type { SimRecord } from '../engine.ts';
import { type Counts, emptyCounts, noteError, type Publisher, Window } from './publisher.ts';

export type HttpPublisherOptions = {
  /** Base URL of iotops, e.g. http://127.0.0.1:8080 */
  url: string;
  token?: string;
  batch?: number;
  /** Requests in flight at most. */
  maxInflight?: number;
  retries?: number;
  retryDelayMs?: number;
};

export class HttpAuthError extends Error {}

const PATHS = { network: 'api/v1/ingest/network-events', telemetry: 'api/v1/ingest/telemetry' } as const;

type Answer = { accepted?: unknown; duplicates?: unknown; rejected?: unknown; rejectedTotal?: unknown };

export function createHttpPublisher(o: HttpPublisherOptions): Publisher {
  const base = o.url.endsWith('/') ? o.url : `${o.url}/`;
  const batch = o.batch ?? 100;
  const retries = o.retries ?? 3;
  const window = new Window(o.maxInflight ?? 4);
  const c: Counts = emptyCounts();
  const buffers: Record<SimRecord['kind'], SimRecord[]> = { network: [], telemetry: [] };
  let fatal: Error | null = null;

  const once = async (kind: SimRecord['kind'], records: SimRecord[]) => {
    const body = `${records.map((r) => JSON.stringify(r.body)).join('\n')}\n`;
    const url = new URL(PATHS[kind], base);
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      let text = '';
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-ndjson',
            ...(o.token === undefined ? {} : { authorization: `Bearer ${o.token}` }),
          },
          body,
        });
        status = res.status;
        text = await res.text();
      } catch (e) {
        text = (e as Error).message;
      }
      if (status === 401 || status === 403) {
        fatal = new HttpAuthError(`HTTP ${status} from ${url}: the ingest credential was refused (--token)`);
        c.failed += records.length;
        return;
      }
      if (status >= 200 && status < 300) return answer(records, text, url);
      const retriable = status === 0 || status === 429 || status >= 500;
      if (!retriable || attempt >= retries) {
        c.failed += records.length;
        noteError(c, `${url}: ${status === 0 ? text : `HTTP ${status} ${text.slice(0, 200)}`}`);
        return;
      }
      await new Promise((r) => setTimeout(r, (o.retryDelayMs ?? 500) * 2 ** attempt));
    }
  };

  const answer = (records: SimRecord[], text: string, url: URL) => {
    let a: Answer;
    try {
      a = JSON.parse(text) as Answer;
    } catch {
      c.failed += records.length;
      noteError(c, `${url}: answer is not JSON: ${text.slice(0, 200)}`);
      return;
    }
    const accepted = typeof a.accepted === 'number' ? a.accepted : 0;
    const duplicates = typeof a.duplicates === 'number' ? a.duplicates : 0;
    const rejected = Array.isArray(a.rejected) ? (a.rejected as { line?: number; error?: string }[]) : [];
    c.acked += accepted + duplicates;
    c.duplicates += duplicates;
    // The listed rejections may be cut; then rejectedTotal counts them all.
    c.rejected += typeof a.rejectedTotal === 'number' ? a.rejectedTotal : rejected.length;
    for (const r of rejected) {
      const rec = typeof r.line === 'number' ? records[r.line - 1] : undefined;
      noteError(c, `${url.pathname} record ${rec?.body.id ?? `line ${r.line}`}: ${r.error ?? 'rejected'}`);
    }
  };

  const post = async (kind: SimRecord['kind'], records: SimRecord[]) => {
    if (fatal) throw fatal;
    await window.acquire();
    c.published += records.length;
    c.messages++;
    void once(kind, records).finally(() => window.release());
  };

  const flushKind = async (kind: SimRecord['kind'], partial: boolean) => {
    const buf = buffers[kind];
    while (buf.length >= batch || (partial && buf.length > 0)) await post(kind, buf.splice(0, batch));
  };

  return {
    transport: 'http',
    async send(records) {
      for (const r of records) buffers[r.kind].push(r);
      await flushKind('network', false);
      await flushKind('telemetry', false);
    },
    async flush() {
      await flushKind('network', true);
      await flushKind('telemetry', true);
    },
    async drain() {
      await window.idle();
      if (fatal) throw fatal;
    },
    async close() {
      await window.idle();
    },
    counts: () => ({ ...c, errors: [...c.errors] }),
  };
}
