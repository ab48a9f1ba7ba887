import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { AppError } from '../errors.ts';
import type { App } from './app.ts';

/**
 * What becomes of a request body the app does not read to its end: answered early (413, a refused upload, an
 * import that failed mid-way), stalled, or cut off by the client. The rules of issue 13: never a dropped connection
 * for an answer we have, never a connection stuck behind an unread body, never a request held forever.
 */

/**
 * How much of what a client still sends after its answer is read and dropped, and for how long (nginx's
 * lingering_timeout and lingering_time, plus a byte cap): idle this long, this long in all, or this many bytes,
 * and the connection is cut. By then the answer has long been sent; a client still sending is cut off.
 */
export type Linger = { idleMs: number; maxMs: number; maxBytes: number };
export const LINGER: Linger = { idleMs: 5_000, maxMs: 30_000, maxBytes: 64 * 1024 * 1024 };

const lingering = new WeakSet<object>();
/** Whether `socket` is being closed by lingeringClose (its requests are over: nothing more is parsed or answered). */
export const isLingering = (socket: object) => lingering.has(socket);

/**
 * Closes a connection whose client may still be sending (an answer given before the request's end) without a reset:
 * closing a socket with unread data sends RST, and the client's TCP stack then throws away the answer it has not
 * read yet. So: half-close (FIN after what is written), read and drop what still arrives, and destroy when the
 * client closes its side or a limit of `limits` is reached (Apache's and nginx's lingering close). Node's HTTP
 * parser is unhooked first (it reads the socket's handle until a 'data' listener takes over): nothing read from
 * here on is parsed, so no request is processed from a connection being closed.
 */
export function lingeringClose(socket: Socket, limits: Linger = LINGER) {
  if (socket.destroyed || lingering.has(socket)) return;
  lingering.add(socket);
  const cut = () => socket.destroy();
  const idle = setTimeout(cut, limits.idleMs);
  const total = setTimeout(cut, limits.maxMs);
  idle.unref();
  total.unref();
  let read = 0;
  socket.removeAllListeners('data');
  socket.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > limits.maxBytes) cut();
    else idle.refresh();
  });
  socket.on('error', () => undefined);
  // The client has sent all it will: nothing is left unread, so closing now sends no reset.
  socket.once('end', cut);
  socket.once('close', () => {
    clearTimeout(idle);
    clearTimeout(total);
  });
  socket.setTimeout(0);
  if (!socket.writableEnded) socket.end();
  socket.resume();
  // The parser read the handle itself, and stopped it while a request body went unread (backpressure); the
  // stream's own resume() does not start it again (it believes a read is pending), so start it as Node's http
  // does when it resumes a socket it consumes (_http_server.js, onSocketResume).
  const handle = (socket as unknown as { _handle?: { reading?: boolean; readStart?: () => number } | null })._handle;
  if (handle?.readStart && !handle.reading) {
    handle.reading = true;
    handle.readStart();
  }
}

const draining = new WeakSet<Readable>();

/**
 * Reads the rest of a body nobody will use and throws it away, within `limits` (past them the connection is cut).
 * Destroying a request stream destroys its socket, so a client still sending would see a reset instead
 * of the answer; leaving it unread would leave a keep-alive connection stuck (its next request never parsed). When
 * the connection closes after the answer (the client sent `Connection: close`, or Fastify added it to a 413), Node
 * destroys the socket once the answer is written: with unread data that is a reset, so it closes lingering instead.
 */
export function drainRequest(input: Readable, limits: Linger = LINGER) {
  const socket = (input as Partial<IncomingMessage>).socket;
  const http = socket instanceof Socket && (input as Partial<IncomingMessage>).complete !== undefined;
  if (http && !socket.destroyed && !(input as IncomingMessage).complete) {
    // Node's http server calls destroySoon() after the last answer of a connection; once this body has been read
    // to its end, nothing is left unread and the plain one will do again.
    const linger = () => lingeringClose(socket, limits);
    socket.destroySoon = linger;
    input.once('end', () => {
      if (socket.destroySoon === linger) socket.destroySoon = Socket.prototype.destroySoon;
    });
  }
  if (input.readableEnded || input.destroyed || draining.has(input)) return;
  draining.add(input);
  input.unpipe();
  let read = 0;
  // Past a limit the connection is cut: draining was its lingering (the answer has long been sent). Once the
  // connection closes lingering instead, that reads the socket, and this request gets nothing more.
  const giveUp = () => {
    stop();
    if (!http) input.destroy();
    else if (!lingering.has(socket)) socket.destroy();
  };
  const idle = setTimeout(giveUp, limits.idleMs);
  const total = setTimeout(giveUp, limits.maxMs);
  idle.unref();
  total.unref();
  // 'readable', not 'data': Node's own dump of an unread request (after its answer) removes every 'data' listener
  // and would read on, unbounded.
  const onReadable = () => {
    for (let chunk = input.read() as Buffer | string | null; chunk !== null; chunk = input.read()) {
      read += chunk.length;
      if (read > limits.maxBytes) return giveUp();
      idle.refresh();
    }
  };
  function stop() {
    clearTimeout(idle);
    clearTimeout(total);
    input.off('readable', onReadable);
  }
  input.on('readable', onReadable);
  input.once('end', stop);
  input.once('close', stop);
  // A request whose connection closes lingering never ends (its parser is unhooked).
  if (http) socket.once('close', stop);
  input.on('error', () => undefined);
}

/**
 * Fails a streamed body that stops arriving for `idleMs` or whose client goes away before its end: `input` is
 * destroyed with an AppError saying which, so whatever reads it (an import holding a transaction) ends. Returns a
 * function that stops watching.
 */
export function guardUpload(input: Readable, idleMs: number): () => void {
  if (input.readableEnded) return () => undefined;
  const stalled = () => {
    stop();
    const error = new AppError(
      'timeout',
      'request.body_stalled',
      `The upload stopped: no data for ${idleMs / 1000} s`,
      [{ field: 'body', reason: `no data for ${idleMs / 1000} s (BODY_IDLE_TIMEOUT_MS)` }],
    );
    // Not destroy(): destroying a request destroys its socket, and a client still waiting for its answer (an import
    // with wait=true) would get a closed connection instead of the 408. Its readers get the error (and fail); what
    // may still come of the body is read and dropped after the answer (drainRequest).
    if (input instanceof IncomingMessage && input.listenerCount('error') > 0) {
      input.unpipe();
      input.emit('error', error);
    } else input.destroy(error);
  };
  const timer = setTimeout(stalled, idleMs);
  timer.unref();
  const onData = () => timer.refresh();
  const onClose = () => {
    stop();
    if (!input.readableEnded && !input.errored)
      input.destroy(
        new AppError('invalid', 'request.body_cut_off', 'The upload was cut off: the client went away before its end', [
          { field: 'body', reason: 'connection closed before the end of the body' },
        ]),
      );
  };
  function stop() {
    clearTimeout(timer);
    input.off('data', onData);
    input.off('end', stop);
    input.off('close', onClose);
  }
  input.on('data', onData);
  input.once('end', stop);
  input.once('close', onClose);
  return stop;
}

/** An error answer in the documented shape, written straight to a socket (no request object to answer on). */
export function writeRawError(socket: Socket, status: number, reason: string, code: string, message: string) {
  if (!socket.writable) return;
  const body = JSON.stringify({
    error: { code, message, requestId: randomUUID(), details: [{ reason: message }] },
  });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * A body that stops arriving (a client sending less than its Content-Length, a slow-body attack) is answered 408
 * once it has been idle `idleMs`; the timer stops when the route's handler starts (a streamed import guards its own
 * body: guardUpload).
 */
export function registerBodyIdleTimeout(app: App, idleMs: number) {
  app.addHook('onRequest', async (req) => {
    const raw = req.raw;
    const hasBody = Number(raw.headers['content-length'] ?? 0) > 0 || raw.headers['transfer-encoding'] !== undefined;
    // Injected requests (tests) have no real socket to time.
    if (!hasBody || raw.complete || !(raw.socket instanceof Socket)) return;
    raw.socket.setTimeout(idleMs);
    raw.once('timeout', () => {
      writeRawError(
        raw.socket,
        408,
        'Request Timeout',
        'request.body_stalled',
        `The request body stopped arriving: no data for ${idleMs / 1000} s`,
      );
      lingeringClose(raw.socket);
    });
  });
  app.addHook('preHandler', async (req) => {
    if (req.raw.listenerCount('timeout') > 0 && req.raw.socket instanceof Socket) req.raw.socket.setTimeout(0);
  });
}
