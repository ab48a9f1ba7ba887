/**
 * The cases bench's load generator, forked by bench/cases.bench.ts: autocannon in its own process (its own event
 * loop and, on a multi-core machine, its own core) so it does not compete with the server under test for the
 * bench process's event loop. One run per message; the answer is the figures as a message back.
 */
import autocannon from 'autocannon';

export type DriveRequest = { url: string; headers: Record<string, string>; connections: number; seconds: number };
export type Figures = { p50: number; p99: number; rps: number; errors: number; non2xx: number };

process.on('message', async (m: DriveRequest) => {
  const r = await autocannon({ url: m.url, headers: m.headers, connections: m.connections, duration: m.seconds });
  const figures: Figures = {
    p50: r.latency.p50,
    p99: r.latency.p99,
    rps: r.requests.average,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
  process.send?.(figures);
});
