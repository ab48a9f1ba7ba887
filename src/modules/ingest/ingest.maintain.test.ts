import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { makeSims } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { createPartitionManager } from './partitions.ts';

let h: Harness;
let t: Tenant;
const src = { transport: 'http' as const, credentialId: null };
const line = (value: unknown, n = 1) => ({ line: n, value });
const DAY = 86_400_000;

beforeAll(async () => {
  h = await harness({ ingestWriters: 2 });
  t = await makeTenant(h.services);
});
afterAll(() => h.close());

const partitionNames = async () =>
  (
    await h.ctx.database.query<{ name: string }>(
      `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = 'network_events'::regclass order by 1`,
    )
  ).map((r) => r.name);

describe('network_events partitions', () => {
  it('creates day partitions up to the newest ts; older records go to DEFAULT; retention drops whole days', async () => {
    const sims = await makeSims(h.services, t.child.id, 1);
    const iccid = sims[0]!.iccid20;
    const now = Date.now();
    const r = await h.services.ingest.acceptNetwork(
      [
        line({ ts: new Date(now).toISOString(), iccid, type: 'detach' }, 1),
        line({ ts: new Date(now - 30 * DAY).toISOString(), iccid, type: 'detach' }, 2),
        line({ ts: new Date(now + 20 * 3600_000).toISOString(), iccid, type: 'detach' }, 3),
      ],
      src,
    );
    expect(r).toMatchObject({ accepted: 3, rejected: [] });
    const names = await partitionNames();
    const day = (ms: number) => `network_events_p${new Date(ms).toISOString().slice(0, 10).replaceAll('-', '')}`;
    expect(names).toContain(day(now));
    expect(names).toContain(day(now + 20 * 3600_000));
    expect(names).toContain('network_events_default');
    const [old] = await h.ctx.database.query<{ n: number }>(
      'select count(*)::int as n from network_events_default where iccid = $1',
      [sims[0]!.iccid],
    );
    expect(old!.n).toBe(1);

    // Ten days on, with 3 days of retention: today's partition and the DEFAULT rows from before go.
    const later = createPartitionManager(h.ctx.database, () => now + 10 * DAY);
    const { dropped } = await later.maintain(3);
    expect(dropped).toContain(day(now));
    const [left] = await h.ctx.database.query<{ n: number }>(
      'select count(*)::int as n from network_events where iccid = $1',
      [sims[0]!.iccid],
    );
    expect(left!.n).toBe(0);
    expect(await partitionNames()).toContain(day(now + 11 * DAY));
  });
});

describe('daily usage', () => {
  it('rolls a complete day up from its hourly rows, idempotently', async () => {
    const [sim] = await makeSims(h.services, t.child.id, 1);
    const day = new Date(Math.floor(Date.now() / DAY) * DAY - DAY);
    const at = (h: number) => new Date(day.getTime() + h * 3600_000).toISOString();
    const s = { network: { mcc: '240', mnc: '07' }, apn: 'a', session_id: `s-${uniq()}` };
    await h.services.ingest.acceptNetwork(
      [
        line({ ts: at(1), iccid: sim!.iccid20, type: 'session_start', ...s }),
        line({ ts: at(2), iccid: sim!.iccid20, type: 'session_update', ...s, bytes_up: 100, bytes_down: 200 }),
        line({ ts: at(5), iccid: sim!.iccid20, type: 'session_end', ...s, bytes_up: 150, bytes_down: 260 }),
        line({ ts: at(6), iccid: sim!.iccid20, type: 'sms_mo' }),
      ],
      src,
    );
    const daily = async () =>
      h.ctx.database.query<{ up: number; down: number; sms: number }>(
        `select bytes_up::int as up, bytes_down::int as down, sms_mo as sms from sim_usage_daily
          where sim_id = (select id from sims where iccid = $1)`,
        [sim!.iccid],
      );
    // A late record for a past day already lands in the daily row; the roll-up recomputes it the same.
    expect(await daily()).toEqual([{ up: 150, down: 260, sms: 1 }]);
    await h.services.ingest.rollupDay(day.toISOString().slice(0, 10));
    await h.services.ingest.rollupDay(day.toISOString().slice(0, 10));
    expect(await daily()).toEqual([{ up: 150, down: 260, sms: 1 }]);
  });
});

describe('write lanes', () => {
  it('splits one caller over the lanes and answers each record in its own position', async () => {
    const sims = await makeSims(h.services, t.child.id, 6);
    const id = uniq();
    const lines = sims.map((s, i) =>
      line({ id: `${id}-${i}`, ts: new Date().toISOString(), iccid: s.iccid20, type: 'detach' }, i + 1),
    );
    lines.push(
      line({ id: `${id}-0`, ts: (lines[0]!.value as { ts: string }).ts, iccid: sims[0]!.iccid20, type: 'detach' }, 7),
    );
    lines.push({ line: 8, value: { ts: 'x' } } as never);
    const r = await h.services.ingest.acceptNetwork(lines, src);
    expect(r.accepted).toBe(6);
    expect(r.duplicates).toBe(1);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]).toMatchObject({ line: 8 });
  });

  it('a credential is checked by name and secret (MQTT)', async () => {
    const { credential, secret } = await h.services.ingest.createCredential(cliPrincipal(), { name: `m-${uniq()}` });
    expect(await h.services.ingest.verifyCredential(credential.name, secret)).toEqual({ id: credential.id });
    expect(await h.services.ingest.verifyCredential('someone-else', secret)).toBeNull();
    expect(await h.services.ingest.verifyCredential(credential.name, `${secret}x`)).toBeNull();
  });
});
