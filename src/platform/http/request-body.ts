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

/** A body still arriving this long after an early answer is cut (the answer has been sent by then). */
const DRAIN_MAX_MS = 60_000;

/**
 * Reads the rest of a body nobody will use and throws it away. Destroying a request stream destroys its socket, so
 * a client still sending would see a reset instead of the answer; leaving it unread would leave a keep-alive
 * connection stuck (its next request never parsed).
 */
export function drainRequest(input: Readable) {
  if (input.readableEnded || input.destroyed) return;
  input.unpipe();
  const cut = setTimeout(() => input.destroy(), DRAIN_MAX_MS);
  cut.unref();
  input.once('close', () => clearTimeout(cut));
  input.once('end', () => clearTimeout(cut));
  input.on('error', () => undefined);
  input.resume();
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
      raw.socket.destroySoon();
    });
  });
  app.addHook('preHandler', async (req) => {
    if (req.raw.listenerCount('timeout') > 0 && req.raw.socket instanceof Socket) req.raw.socket.setTimeout(0);
  });
}
