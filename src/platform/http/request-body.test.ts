import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { drainRequest, type Linger, lingeringClose } from './request-body.ts';

// The limits of the lingering close (request-body.ts), with small limits, over real sockets on a bare Node server:
// what a client still sends after an early answer is read only so long and so much; nothing read then is parsed.
const small: Linger = { idleMs: 400, maxMs: 3_000, maxBytes: 2 * 1024 * 1024 };
const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A server answering every request 413 at once, without reading its body, then dropping the rest (drainRequest). */
async function earlyAnswers(opts: { close: boolean; raw?: boolean }) {
  let requests = 0;
  const sockets: net.Socket[] = [];
  const server = http.createServer((req, res) => {
    requests++;
    if (opts.raw) {
      // As the app's own raw answers do (request-body.ts writeRawError), once Node has stopped reading the socket
      // (backpressure: the request's buffer is full).
      setTimeout(() => {
        req.socket.write('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno');
        lingeringClose(req.socket, { ...small, maxBytes: 64 * 1024 * 1024 });
      }, 300);
      return;
    }
    drainRequest(req, small);
    res.writeHead(413, { 'content-length': 2, ...(opts.close ? { connection: 'close' } : {}) });
    res.end('no');
  });
  server.on('connection', (socket) => sockets.push(socket));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    requests: () => requests,
    /** Whether the server has closed its end of every connection (the client, half-open, may not see it). */
    closed: () => sockets.length > 0 && sockets.every((s) => s.destroyed),
  };
}

/** A client that goes on sending after the server's FIN (allowHalfOpen), as a hostile or naive one does. */
function client(port: number) {
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  const state = { received: '', closed: false, written: 0 };
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => {
    state.received += d;
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    state.closed = true;
  });
  /** Writes `chunk` again and again (as fast as the server reads, or every `everyMs`) until the socket closes. */
  const stream = async (chunk: Buffer, everyMs = 0) => {
    while (!state.closed && !socket.destroyed) {
      const flushed = socket.write(chunk);
      state.written += chunk.length;
      if (everyMs) await new Promise((r) => setTimeout(r, everyMs));
      else if (!flushed) await new Promise((r) => socket.once('drain', r).once('close', r));
    }
  };
  return { socket, state, stream };
}
const head = (close: boolean) =>
  `POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
const answered = (received: string) => received.match(/HTTP\/1\.1 413/g)?.length ?? 0;

describe('lingering close', { timeout: 120_000 }, () => {
  for (const close of [true, false]) {
    const how = close ? 'Connection: close' : 'keep-alive';
    it(`${how}: a client streaming forever gets the answer and is cut off after maxBytes`, async () => {
      const s = await earlyAnswers({ close });
      const c = client(s.port);
      c.socket.write(head(close));
      await c.stream(Buffer.alloc(64 * 1024, 'x'));
      expect(answered(c.state.received)).toBe(1);
      // maxBytes, plus what the two sockets' buffers held when the server stopped reading.
      expect(c.state.written).toBeLessThan(small.maxBytes + 16 * 1024 * 1024);
    });

    it(`${how}: a client that stops sending (and never closes) is closed after idleMs`, async () => {
      const s = await earlyAnswers({ close });
      const c = client(s.port);
      c.socket.write(`${head(close)}some of the body`);
      await expect.poll(() => s.closed(), { timeout: 30_000, interval: 20 }).toBe(true);
      expect(answered(c.state.received)).toBe(1);
    });

    it(`${how}: a client trickling bytes is closed after maxMs`, async () => {
      const s = await earlyAnswers({ close });
      const c = client(s.port);
      c.socket.write(head(close));
      const started = Date.now();
      await c.stream(Buffer.from('x'), 50);
      expect(Date.now() - started).toBeGreaterThanOrEqual(small.maxMs - 100);
      expect(answered(c.state.received)).toBe(1);
    });
  }

  it('an answer given once the unread body has filled the buffers (Node paused the socket) still gets through', async () => {
    // Node stops reading a socket whose request body nobody reads; the lingering close must start it again.
    const s = await earlyAnswers({ close: true, raw: true });
    const c = client(s.port);
    c.socket.pause();
    c.socket.write(head(true));
    // More than the sockets' buffers hold: the client finishes writing only if the server reads on.
    const body = Buffer.alloc(32 * 1024 * 1024, 'x');
    await new Promise((sent) => c.socket.write(body, sent));
    c.socket.resume();
    await expect.poll(() => answered(c.state.received), { timeout: 30_000, interval: 20 }).toBe(1);
  });

  it('what follows the body on a connection being closed is never parsed as a request', async () => {
    const s = await earlyAnswers({ close: true });
    const c = client(s.port);
    const body = 'x'.repeat(100_000);
    c.socket.write(
      `POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}` +
        'POST /y HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n',
    );
    c.socket.end();
    await expect.poll(() => c.state.closed, { timeout: 30_000, interval: 20 }).toBe(true);
    expect(answered(c.state.received)).toBe(1);
    expect(s.requests()).toBe(1);
  });
});
