import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

/**
 * The embedded database shared over the PostgreSQL wire protocol on a Unix socket, so that CLI commands run
 * beside `npm start` go through the process that owns the PGlite files (embedded-owner.ts) with the ordinary
 * `pg` driver.
 *
 * PGlite is one backend session. Its owner's own queries and transactions each hold PGlite's transaction mutex;
 * a socket connection takes that same mutex from its first message until the backend is idle again
 * (ReadyForQuery with status 'I'), so a client's transaction — or its Parse…Sync sequence — never interleaves
 * with the owner's work or another client's. What one session cannot keep apart is kept apart here:
 * - named prepared statements (and portals) get a per-connection prefix, and are closed when the client goes;
 * - COPY … FROM STDIN, which PGlite's wire path does not take (the WASM aborts), is collected here and run as
 *   COPY … FROM '/dev/blob', PGlite's own bulk-load device;
 * - a client that holds the session idle for a minute is cut off (its transaction rolled back), so a hung
 *   script cannot stall the server for ever (PostgreSQL's idle_in_transaction_session_timeout, on by default).
 */
export const SOCKET_PORT = 5432;
const IDLE_HOLD_MS_DEFAULT = 60_000;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const COPY_FROM_STDIN = /^\s*copy\s[^;]*\sfrom\s+stdin\b[^;]*;?\s*$/i;

export type SharedSocket = { dir: string; close(): Promise<void>; connections(): number };

/** Unix socket paths are limited to ~107 bytes; a deep data directory gets its socket in the temp directory. */
export function socketDirFor(dataDir: string, tmpDir: string, id: string): string {
  const inData = path.join(dataDir, 'run');
  return path.join(inData, `.s.PGSQL.${SOCKET_PORT}`).length <= 100 ? inData : path.join(tmpDir, `iotops-${id}`);
}

export async function shareEmbedded(
  client: PGlite,
  dir: string,
  onError: (e: unknown) => void,
  opts: {
    idleHoldMs?: number;
    /**
     * A notification the session raised while serving a socket client (a CLI's commit): PGlite hands those only to
     * the socket, so the owner's own LISTENs (client.listen) would never hear of it.
     */
    onNotification?: (channel: string) => void;
  } = {},
): Promise<SharedSocket> {
  const idleHoldMs = opts.idleHoldMs ?? IDLE_HOLD_MS_DEFAULT;
  // 0700: only this user may connect (the socket speaks as the database superuser, like trust auth).
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const file = path.join(dir, `.s.PGSQL.${SOCKET_PORT}`);
  fs.rmSync(file, { force: true });
  const open = new Set<net.Socket>();
  let nextId = 1;
  const server = net.createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    serveConnection(client, socket, nextId++, onError, idleHoldMs, opts.onNotification);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(file, () => resolve());
  });
  return {
    dir,
    connections: () => open.size,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of open) s.destroy();
      await closed;
      fs.rmSync(file, { force: true });
    },
  };
}

function serveConnection(
  client: PGlite,
  socket: net.Socket,
  id: number,
  onError: (e: unknown) => void,
  idleHoldMs: number,
  onNotification: ((channel: string) => void) | undefined,
) {
  const prefix = `c${id}_`;
  const tap = onNotification ? notificationTap(onNotification) : undefined;
  const statements = new Set<string>();
  let buf = Buffer.alloc(0);
  let started = false;
  let release: (() => void) | null = null;
  let copy: { sql: string; chunks: Buffer[] } | null = null;
  let chain = Promise.resolve();
  let idle: NodeJS.Timeout | null = null;
  let tail = Buffer.alloc(0);

  const hold = () =>
    new Promise<void>((got) => {
      client
        ._runExclusiveTransaction(
          () =>
            new Promise<void>((done) => {
              release = done;
              got();
            }),
        )
        .catch(onError);
    });
  const letGo = () => {
    const r = release;
    release = null;
    r?.();
  };
  const send = (bytes: Uint8Array) => {
    tap?.(bytes);
    tail = Buffer.concat([tail, bytes]).subarray(-6);
    // `bytes` is a view of the engine's memory, which its next output overwrites; a socket whose reader is slow
    // queues what it is given, so it is given a copy (without one, a CLI export beside a loaded server read
    // another row's bytes: pg's "offset out of range").
    if (!socket.destroyed) socket.write(Buffer.from(bytes));
  };
  const exec = (msg: Uint8Array) => client.runExclusive(() => client.execProtocolRawStream(msg, { onRawData: send }));

  async function handle(msg: Buffer) {
    if (!release) await hold();
    if (idle) clearTimeout(idle);
    tail = Buffer.alloc(0);
    const type = String.fromCharCode(msg[0] ?? 0);
    if (copy) await handleCopy(type, msg);
    else if (type === 'Q' && COPY_FROM_STDIN.test(queryText(msg))) {
      copy = { sql: queryText(msg), chunks: [] };
      // CopyInResponse: text format, no per-column formats (the client sends whole CSV lines).
      send(Buffer.from([0x47, 0, 0, 0, 7, 0, 0, 0]));
    } else {
      if (type === 'X') return void socket.end();
      await exec(renamed(type, msg));
    }
    // The session is free again only when the backend said it is idle outside a transaction.
    if (tail.length === 6 && tail[0] === 0x5a && tail[5] === 0x49) letGo();
    else idle = setTimeout(cutOff, idleHoldMs);
  }

  /** What PostgreSQL's idle_in_transaction_session_timeout does, with the reason the client's user needs. */
  function cutOff() {
    const fields = [
      ['S', 'FATAL'],
      ['V', 'FATAL'],
      ['C', '25P03'],
      [
        'M',
        `terminating connection: it held the embedded database idle for ${idleHoldMs / 1000} s, and the process that owns it waits meanwhile`,
      ],
    ];
    const body = Buffer.concat([
      ...fields.map(([k, v]) => Buffer.concat([Buffer.from(k!), cstr(v!)])),
      Buffer.from([0]),
    ]);
    socket.end(frame('E', body));
  }

  async function handleCopy(type: string, msg: Buffer) {
    if (type === 'd') copy!.chunks.push(msg.subarray(5));
    else if (type === 'c') {
      const { sql, chunks } = copy!;
      copy = null;
      await client.runExclusive(async () => {
        await client._handleBlob(new Blob([Buffer.concat(chunks)]));
        try {
          await client.execProtocolRawStream(query(sql.replace(/from\s+stdin/i, "FROM '/dev/blob'")), {
            onRawData: send,
          });
        } finally {
          await client._cleanupBlob();
        }
      });
    } else if (type === 'f') {
      copy = null;
      const reason = queryText(msg);
      // What PostgreSQL answers to CopyFail, raised by the backend itself so a transaction is aborted as it is there.
      await exec(
        query(
          `DO $$BEGIN RAISE EXCEPTION USING ERRCODE = '57014', MESSAGE = 'COPY from stdin failed: ${reason.replace(/'/g, "''").replace(/\$/g, '')}'; END$$`,
        ),
      );
    }
    // Flush and Sync during COPY are ignored, as PostgreSQL does.
  }

  /**
   * Prefixes statement and portal names so two clients' `pg` prepared statements never collide. The startup
   * message has no type byte; its first byte (of the length) is 0, which matches nothing here.
   */
  function renamed(type: string, msg: Buffer): Uint8Array {
    const body = msg.subarray(5);
    if (type === 'P') {
      const [name = ''] = cstrings(body, 1);
      if (!name) return msg;
      statements.add(prefix + name);
      return frame(type, Buffer.concat([cstr(prefix + name), body.subarray(Buffer.byteLength(name) + 1)]));
    }
    if (type === 'B') {
      const [portal = '', stmt = ''] = cstrings(body, 2);
      const skip = Buffer.byteLength(portal) + Buffer.byteLength(stmt) + 2;
      return frame(
        type,
        Buffer.concat([cstr(portal && prefix + portal), cstr(stmt && prefix + stmt), body.subarray(skip)]),
      );
    }
    if (type === 'D' || type === 'C') {
      const kind = body.subarray(0, 1);
      const [name = ''] = cstrings(body.subarray(1), 1);
      if (!name) return msg;
      if (type === 'C' && kind.toString() === 'S') statements.delete(prefix + name);
      return frame(type, Buffer.concat([kind, cstr(prefix + name)]));
    }
    return msg;
  }

  /** The client went away: leave the session as clean as a new backend would be for the next one. */
  async function cleanUp() {
    if (idle) clearTimeout(idle);
    copy = null;
    if (!release && statements.size === 0) return;
    if (!release) await hold();
    const discard = (m: Uint8Array) =>
      client.runExclusive(() => client.execProtocolRawStream(m, { onRawData: () => undefined }));
    try {
      await discard(frame('S', Buffer.alloc(0)));
      if (client.isInTransaction()) await discard(query('ROLLBACK'));
      for (const s of statements) await discard(frame('C', Buffer.concat([Buffer.from('S'), cstr(s)])));
      if (statements.size > 0) await discard(frame('S', Buffer.alloc(0)));
    } catch (e) {
      onError(e);
    } finally {
      statements.clear();
      letGo();
    }
  }

  socket.on('data', (data: Buffer) => {
    buf = Buffer.concat([buf, data]);
    for (;;) {
      let len: number;
      if (!started && buf.length >= 8) {
        len = buf.readInt32BE(0);
        const code = buf.readInt32BE(4);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          // No TLS on a local socket: 'N' makes the client carry on in the clear.
          buf = buf.subarray(8);
          socket.write('N');
          continue;
        }
        if (code === CANCEL_REQUEST) return void socket.destroy();
      } else if (started && buf.length >= 5) len = 1 + buf.readInt32BE(1);
      else return;
      if (len < 4 || len > 1 << 30) return void socket.destroy();
      if (buf.length < len) return;
      const msg = Buffer.from(buf.subarray(0, len));
      buf = buf.subarray(len);
      started = true;
      chain = chain
        .then(() => handle(msg))
        .catch((e: unknown) => {
          onError(e);
          socket.destroy();
        });
    }
  });
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    chain = chain.then(cleanUp, cleanUp);
  });
}

function cstrings(b: Buffer, count: number): string[] {
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const end = b.indexOf(0, at);
    if (end < 0) break;
    out.push(b.subarray(at, end).toString('utf8'));
    at = end + 1;
  }
  return out;
}

/** The first string of a message's body: a Query's SQL, a CopyFail's reason. */
const queryText = (msg: Buffer) => cstrings(msg.subarray(5), 1)[0] ?? '';

const cstr = (s: string) => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);

function frame(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const query = (sql: string) => frame('Q', cstr(sql));

/**
 * Follows the backend's message stream (type byte, int32 length, body) across chunks without buffering bodies, and
 * reports each NotificationResponse ('A': int32 pid, channel, payload) by its channel.
 */
export function notificationTap(onNotification: (channel: string) => void) {
  let header = Buffer.alloc(0);
  let skip = 0;
  let collect: Buffer[] | null = null;
  let left = 0;
  return (chunk: Uint8Array) => {
    let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (bytes.length > 0) {
      if (skip > 0) {
        const n = Math.min(skip, bytes.length);
        skip -= n;
        bytes = bytes.subarray(n);
        continue;
      }
      if (collect) {
        const n = Math.min(left, bytes.length);
        collect.push(bytes.subarray(0, n));
        left -= n;
        bytes = bytes.subarray(n);
        if (left === 0) {
          const body = Buffer.concat(collect);
          collect = null;
          const end = body.indexOf(0, 4);
          onNotification(body.subarray(4, end < 0 ? body.length : end).toString());
        }
        continue;
      }
      const need = 5 - header.length;
      header = Buffer.concat([header, bytes.subarray(0, need)]);
      bytes = bytes.subarray(need);
      if (header.length < 5) return;
      const type = header[0];
      const body = header.readUInt32BE(1) - 4;
      header = Buffer.alloc(0);
      if (type === 0x41 && body > 0) {
        collect = [];
        left = body;
      } else skip = body;
    }
  };
}
