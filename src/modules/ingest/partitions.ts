/**
 * Day partitions of network_events. Invariant: from the first day partition on, every day up to the newest
 * `ts` ever written has its partition, so the DEFAULT partition only ever holds records older than the first
 * one (late records from before iotops ran). That is what keeps creating a partition legal: PostgreSQL refuses
 * to create one whose range already has rows in DEFAULT.
 *
 * Partitions are created outside the batch's transaction (DDL takes a strong lock on the parent; held for a
 * whole batch it would stall every reader), idempotently: two processes racing both end up with the same
 * partitions.
 */
import type { Database } from '../../platform/db/client.ts';

const DAY = 86_400_000;
/** How far back the first partition starts: late records from the days just before are still partitioned. */
const FIRST_DAY_BACK = 7;
const dayStart = (ms: number) => Math.floor(ms / DAY) * DAY;
const nameOf = (day: number) => `network_events_p${new Date(day).toISOString().slice(0, 10).replaceAll('-', '')}`;
const dayOfName = (name: string) => {
  const m = /^network_events_p(\d{4})(\d{2})(\d{2})$/.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
};

export function createPartitionManager(database: Database, now: () => number = Date.now) {
  let last: number | null = null;
  let loaded = false;

  async function load() {
    const rows = await database.query<{ name: string }>(
      `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = 'network_events'::regclass`,
    );
    const days = rows.map((r) => dayOfName(r.name)).filter((d): d is number => d !== null);
    last = days.length ? Math.max(...days) : null;
    loaded = true;
  }

  async function create(day: number) {
    const to = new Date(day + DAY).toISOString();
    await database.query(
      `create table if not exists ${nameOf(day)} partition of network_events
         for values from ('${new Date(day).toISOString()}') to ('${to}')`,
    );
  }

  return {
    /** Make sure every day up to `maxTs` (ms) has its partition; call before writing a batch. */
    async ensure(maxTs: number): Promise<void> {
      if (!loaded) await load();
      const target = dayStart(maxTs);
      if (last !== null && target <= last) return;
      const start = last === null ? dayStart(now()) - FIRST_DAY_BACK * DAY : last + DAY;
      for (let d = start; d <= target; d += DAY) {
        try {
          await create(d);
        } catch (e) {
          // Another process created it between our check and ours: fine if it exists now.
          await load();
          if (last === null || last < d) throw e;
        }
        last = d;
      }
    },

    /**
     * Retention: drop day partitions entirely older than `days` and delete what DEFAULT holds from before then.
     * Also creates tomorrow's partition ahead, so the first batch after midnight never waits on DDL.
     */
    async maintain(days: number): Promise<{ dropped: string[] }> {
      await load();
      await this.ensure(now() + DAY);
      const cutoff = dayStart(now()) - days * DAY;
      const rows = await database.query<{ name: string }>(
        `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
          where i.inhparent = 'network_events'::regclass`,
      );
      const dropped: string[] = [];
      for (const { name } of rows) {
        const day = dayOfName(name);
        if (day !== null && day + DAY <= cutoff) {
          await database.query(`drop table if exists ${name}`);
          dropped.push(name);
        }
      }
      await database.query('delete from network_events_default where ts < $1', [new Date(cutoff).toISOString()]);
      await load();
      return { dropped };
    },
  };
}

export type PartitionManager = ReturnType<typeof createPartitionManager>;
