/**
 * LISTEN/NOTIFY for Database.listen (client.ts): the handler and handle types every engine shares, and the
 * node-postgres listener, a dedicated connection of its own.
 */
import pg from 'pg';

export type ChannelHandlers = { notify: () => void; state: (listening: boolean) => void };
export type ChannelListener = {
  /**
   * Resolves once every notification of a transaction committed before the call has reached `notify` (PostgreSQL
   * delivers them to the listening connection asynchronously; a round trip on it flushes them). Rejects when the
   * connection is lost. So a process's own committed change is always heard before its next read.
   */
  sync(): Promise<void>;
  close(): Promise<void>;
};

const CHANNEL = /^[a-z_][a-z0-9_]*$/;
export function checkChannel(channel: string) {
  if (!CHANNEL.test(channel)) throw new Error(`not a channel name: ${channel}`);
}
const LISTEN_RETRY_MS = 1000;

/** A dedicated node-postgres connection for LISTEN (a pooled one would be handed to queries), reconnected if lost. */
export function pgListener(conn: pg.ClientConfig, channel: string, on: ChannelHandlers) {
  let closed = false;
  let live: pg.Client | null = null;
  let timer: NodeJS.Timeout | undefined;
  const retry = () => {
    if (!closed) timer = setTimeout(() => void connect(), LISTEN_RETRY_MS);
  };
  async function connect() {
    // Named so an operator (and a test) tells it from the pool in pg_stat_activity.
    const c = new pg.Client({ ...conn, application_name: `iotops listen ${channel}` });
    c.on('error', () => undefined);
    c.on('notification', (n) => {
      if (n.channel === channel) on.notify();
    });
    c.on('end', () => {
      if (live !== c) return;
      live = null;
      on.state(false);
      retry();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch {
      await c.end().catch(() => undefined);
      return retry();
    }
    if (closed) return void (await c.end().catch(() => undefined));
    live = c;
    on.notify();
    on.state(true);
  }
  // Callers arriving before a round trip is sent share it; later ones wait for the next.
  let unsent: Promise<void> | null = null;
  let chain: Promise<void> = Promise.resolve();
  function sync(): Promise<void> {
    if (unsent) return unsent;
    const trip = chain.then(async () => {
      unsent = null;
      if (!live) throw new Error(`not listening on ${channel}`);
      await live.query('select 1');
    });
    unsent = trip;
    chain = trip.catch(() => undefined);
    return trip;
  }
  return {
    start: connect,
    sync,
    async close() {
      closed = true;
      clearTimeout(timer);
      const c = live;
      live = null;
      if (c) await c.end().catch(() => undefined);
    },
  };
}
