/**
 * Following a SIM's trace live (`iotops sims trace --follow`): poll the events received since the last poll.
 *
 * `received_at` is the writing transaction's start, and transactions commit in any order, so a batch can become
 * visible after a later-started one was already seen. Each poll therefore looks back OVERLAP_MS before the
 * newest `received_at` seen and drops rows it already printed (by physical row id). Only records whose `ts` is
 * within LATE_MS before the poll's look-back are considered, so a poll stays on the last couple of day partitions;
 * a record arriving later than that shows in a plain `trace`, not in the live stream.
 */
import type { Database } from '../../platform/db/client.ts';
import { type EventRow, networkRepo } from './network.repo.ts';

const OVERLAP_MS = 10_000;
const LATE_MS = 24 * 3600_000;

export function createTraceFollower(
  database: Database,
  q: { iccid: string; types?: string[] | undefined; seen?: readonly EventRow[] },
) {
  const repo = networkRepo(database);
  const seen = new Map<string, number>();
  let watermark = 0;
  for (const e of q.seen ?? []) remember(e);

  function remember(e: EventRow) {
    const at = new Date(e.received_at).getTime();
    seen.set(e.pk, at);
    if (at > watermark) watermark = at;
  }

  return {
    /** New events since the last call, in the order they were received (then by ts). */
    async poll(): Promise<EventRow[]> {
      if (watermark === 0) watermark = (await repo.dbNow()).getTime();
      const since = watermark - OVERLAP_MS;
      const rows = await repo.eventsReceivedAfter({
        iccid: q.iccid,
        receivedAfter: new Date(since),
        tsFrom: new Date(since - LATE_MS),
        types: q.types,
      });
      const fresh = rows.filter((r) => !seen.has(r.pk));
      for (const r of fresh) remember(r);
      for (const [pk, at] of seen) if (at < watermark - 2 * OVERLAP_MS) seen.delete(pk);
      return fresh;
    },
  };
}
