import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationTap, type SharedSocket, SOCKET_PORT, shareEmbedded, socketDirFor } from './embedded-socket.ts';

// The socket that lets CLI commands go through a running embedded server: a real PGlite, real `pg` clients.
describe('embedded database shared on a socket', () => {
  let db: PGlite;
  let shared: SharedSocket;
  const errors: unknown[] = [];
  const clients: pg.Client[] = [];
  const notified: string[] = [];

  async function connect(): Promise<pg.Client> {
    const c = new pg.Client({ host: shared.dir, port: SOCKET_PORT, user: 'postgres', database: 'postgres' });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  }

  beforeAll(async () => {
    db = new PGlite();
    await db.waitReady;
    await db.exec('create table t (id int primary key, v text)');
    shared = await shareEmbedded(
      db,
      path.join(mkdtempSync(path.join(tmpdir(), 'iotops-sock-')), 'run'),
      (e) => errors.push(e),
      { onNotification: (channel) => notified.push(channel) },
    );
  });
  afterAll(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    await shared.close();
    await db.close();
  });

  it('hands a slow reader every byte intact (the engine reuses its output buffer; CLI export beside a server)', async () => {
    const c = await connect();
    // A client that stops reading fills the socket: what the server writes meanwhile waits in its queue, and must
    // be a copy, not a view of the engine's memory (a loaded CI machine got "offset out of range" in `pg`).
    const stream = (c as unknown as { connection: { stream: NodeJS.ReadableStream } }).connection.stream;
    const rows = c.query<{ i: number; v: string }>(
      'select i, repeat(chr(65 + i % 26), 20000 + i) as v from generate_series(1, 300) as i',
    );
    stream.pause();
    await new Promise((r) => setTimeout(r, 300));
    stream.resume();
    const got = (await rows).rows;
    expect(got).toHaveLength(300);
    for (const r of got) expect(r.v, `row ${r.i}`).toBe(String.fromCharCode(65 + (r.i % 26)).repeat(20000 + r.i));
  });

  it("keeps a client's transaction apart from the owner's queries until it commits", async () => {
    const c = await connect();
    await c.query('begin');
    await c.query('insert into t values (1, $1)', ['one']);
    let ownerDone = false;
    const owner = db.query<{ n: number }>('select count(*)::int as n from t where id = 1').then((r) => {
      ownerDone = true;
      return r.rows[0]!.n;
    });
    await c.query('select pg_sleep(0.05)');
    expect(ownerDone).toBe(false); // inside the client's transaction the owner waits
    await c.query('commit');
    expect(await owner).toBe(1);
    // …and the other way round: the owner's transaction is not joined by a client's statements.
    let clientSaw: number | undefined;
    await db.transaction(async (tx) => {
      await tx.query("insert into t values (2, 'two')");
      const pending = c.query('select count(*)::int as n from t where id = 2').then((r) => {
        clientSaw = r.rows[0].n as number;
      });
      await new Promise((r) => setTimeout(r, 50));
      expect(clientSaw).toBeUndefined();
      await tx.rollback();
      void pending;
    });
    await new Promise((r) => setTimeout(r, 20));
    await c.query('select 1');
    expect(clientSaw).toBe(0);
  });

  it('takes COPY FROM STDIN (PGlite itself cannot) inside a transaction, and a rollback drops it', async () => {
    const c = await connect();
    await c.query('begin');
    await pipeline(
      Readable.from(['10,a\n11,"b, with comma"\n']),
      c.query(copyFrom('COPY t FROM STDIN WITH (FORMAT csv)')),
    );
    await c.query('rollback');
    expect((await db.query('select count(*)::int as n from t where id >= 10')).rows[0]).toEqual({ n: 0 });
    await pipeline(
      Readable.from(['10,a\n', '11,"b, with comma"\n']),
      c.query(copyFrom('COPY t FROM STDIN WITH (FORMAT csv)')),
    );
    expect((await db.query('select v from t where id = 11')).rows[0]).toEqual({ v: 'b, with comma' });
  });

  it('answers a bad COPY row with the error and the line, and an aborted COPY with 57014', async () => {
    const c = await connect();
    const bad = pipeline(
      Readable.from(['20,x\nnot-a-number,y\n']),
      c.query(copyFrom('COPY t FROM STDIN WITH (FORMAT csv)')),
    );
    await expect(bad).rejects.toThrow(/invalid input syntax for type integer/);
    await c.query('begin');
    const aborted = pipeline(
      new Readable({
        read() {
          this.destroy(new Error('the file went away'));
        },
      }),
      c.query(copyFrom('COPY t FROM STDIN WITH (FORMAT csv)')),
    );
    await expect(aborted).rejects.toThrow();
    await expect(c.query('select 1')).rejects.toThrow(/current transaction is aborted/);
    await c.query('rollback');
    expect((await c.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });

  it("keeps two clients' named prepared statements apart and closes them when a client goes", async () => {
    const a = await connect();
    const b = await connect();
    const q = (c: pg.Client, v: number) => c.query({ name: 'same_name', text: 'select $1::int + 1 as n', values: [v] });
    expect((await q(a, 1)).rows).toEqual([{ n: 2 }]);
    expect((await q(b, 10)).rows).toEqual([{ n: 11 }]);
    expect((await q(a, 2)).rows).toEqual([{ n: 3 }]);
    const named = async () =>
      (await db.query<{ name: string }>("select name from pg_prepared_statements where name like '%same_name'")).rows
        .length;
    expect(await named()).toBe(2);
    await a.end();
    await b.end();
    await expect.poll(named).toBe(0);
  });

  it('rolls back the transaction of a client that vanishes, and the owner carries on', async () => {
    const c = await connect();
    await c.query('begin');
    await c.query("insert into t values (30, 'lost')");
    (c as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const r = await db.query<{ n: number }>('select count(*)::int as n from t where id = 30');
    expect(r.rows[0]!.n).toBe(0);
    expect(db.isInTransaction()).toBe(false);
    expect(errors).toEqual([]);
  });

  it('cuts off a client that holds the session idle, saying why, and the owner carries on', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'iotops-sock-')), 'run');
    const quick = await shareEmbedded(db, dir, (e) => errors.push(e), { idleHoldMs: 300 });
    try {
      const c = new pg.Client({ host: dir, port: SOCKET_PORT, user: 'postgres', database: 'postgres' });
      const failed = new Promise<Error>((resolve) => c.on('error', resolve));
      await c.connect();
      await c.query('begin');
      await c.query("insert into t values (40, 'held')");
      expect((await failed).message).toMatch(/held the embedded database idle for 0.3 s/);
      expect((await db.query('select count(*)::int as n from t where id = 40')).rows[0]).toEqual({ n: 0 });
    } finally {
      await quick.close();
    }
  });

  it("hands the owner the notifications of a client's commit before the client hears its COMMIT", async () => {
    await db.exec('listen owner_hears');
    const c = await connect();
    await c.query('begin');
    await c.query("select pg_notify('owner_hears', 'x')");
    expect(notified).not.toContain('owner_hears'); // not before the commit
    await c.query('commit');
    expect(notified.filter((n) => n === 'owner_hears')).toEqual(['owner_hears']);
    await db.exec('unlisten owner_hears');
  });

  it('puts the socket of a deep data directory in the temp directory (socket paths are short)', () => {
    expect(socketDirFor('/srv/iotops/data', '/tmp', 'abc')).toBe('/srv/iotops/data/run');
    expect(socketDirFor(`/srv/${'x'.repeat(90)}`, '/tmp', 'abc')).toBe('/tmp/iotops-abc');
  });
});

describe('notificationTap', () => {
  const msg = (type: string, body: Buffer) => {
    const head = Buffer.alloc(5);
    head.write(type, 0);
    head.writeUInt32BE(body.length + 4, 1);
    return Buffer.concat([head, body]);
  };
  const notification = (channel: string, payload: string) =>
    msg('A', Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from(`${channel}\0${payload}\0`)]));

  it('finds notifications between other messages, whatever the chunking', () => {
    const stream = Buffer.concat([
      msg('D', Buffer.alloc(70_000, 0x41)), // a big row full of 'A' bytes is not a notification
      notification('iotops_cases_changed', ''),
      msg('C', Buffer.from('UPDATE 1\0')),
      notification('other', 'payload'),
      msg('Z', Buffer.from('I')),
    ]);
    for (const size of [1, 2, 5, 7, 1000, stream.length]) {
      const seen: string[] = [];
      const tap = notificationTap((c) => seen.push(c));
      for (let at = 0; at < stream.length; at += size) tap(stream.subarray(at, at + size));
      expect(seen, `chunks of ${size}`).toEqual(['iotops_cases_changed', 'other']);
    }
  });
});
