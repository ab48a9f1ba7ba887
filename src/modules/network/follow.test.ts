import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, uniq } from '../../../test/support/harness.ts';
import { makeSims } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';
import { createTraceFollower } from './follow.ts';

let h: Harness;
let producer: Record<string, string>;
beforeAll(async () => {
  h = await harness();
  const { secret } = await h.services.ingest.createCredential(cliPrincipal(), { name: `follow-${uniq()}` });
  producer = { authorization: `Bearer ${secret}` };
});
afterAll(() => h.close());

const post = (records: unknown[]) =>
  h.app.inject({
    method: 'POST',
    url: '/api/v1/ingest/network-events',
    headers: { ...producer, 'content-type': 'application/x-ndjson' },
    payload: records.map((r) => JSON.stringify(r)).join('\n'),
  });

describe('trace follower (the --follow loop)', () => {
  it('answers each event once, as it arrives, including late records with an old ts', async () => {
    const t = await makeTenant(h.services);
    const [sim] = await makeSims(h.services, t.child.id, 1);
    const iccid = sim!.iccid20;
    const follower = createTraceFollower(h.ctx.database, { iccid: sim!.iccid, types: undefined });
    expect(await follower.poll()).toEqual([]);
    await post([
      { id: uniq(), ts: new Date().toISOString(), iccid, type: 'attach', network: { mcc: '240', mnc: '07' } },
    ]);
    const first = await follower.poll();
    expect(first.map((e) => e.type)).toEqual(['attach']);
    // Within the overlap the same row is seen again by the query, but not answered twice.
    expect(await follower.poll()).toEqual([]);
    const late = new Date(Date.now() - 3 * 3600_000).toISOString();
    await post([
      { id: uniq(), ts: late, iccid, type: 'detach' },
      { id: uniq(), ts: new Date().toISOString(), iccid, type: 'sms_mo' },
    ]);
    expect((await follower.poll()).map((e) => e.type).sort()).toEqual(['detach', 'sms_mo']);
    expect(await follower.poll()).toEqual([]);
  });

  it('follows only the asked types', async () => {
    const t = await makeTenant(h.services);
    const [sim] = await makeSims(h.services, t.child.id, 1);
    const follower = createTraceFollower(h.ctx.database, { iccid: sim!.iccid, types: ['voice'] });
    await follower.poll();
    await post([
      { ts: new Date().toISOString(), iccid: sim!.iccid20, type: 'sms_mo' },
      { ts: new Date().toISOString(), iccid: sim!.iccid20, type: 'voice', seconds: 7 },
    ]);
    expect((await follower.poll()).map((e) => [e.type, e.seconds])).toEqual([['voice', 7]]);
  });
});
