import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant, uniq } from '../../../test/support/harness.ts';
import { type MadeSim, makeSims } from '../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../platform/auth.ts';

let h: Harness;
let t: Tenant;
let other: Tenant;
let producer: Record<string, string>;
let sharedModel: number;

const json = 'application/json';
const call = (method: 'GET' | 'POST' | 'PATCH', url: string, headers: Record<string, string>, body?: unknown) =>
  h.app.inject({
    method,
    url,
    headers: body === undefined ? headers : { ...headers, 'content-type': json },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
const postTelemetry = (records: unknown[]) =>
  h.app.inject({
    method: 'POST',
    url: '/api/v1/ingest/telemetry',
    headers: { ...producer, 'content-type': 'application/x-ndjson' },
    payload: records.map((r) => JSON.stringify(r)).join('\n'),
  });

beforeAll(async () => {
  h = await harness();
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
  const { secret } = await h.services.ingest.createCredential(cliPrincipal(), { name: `dev-${uniq()}` });
  producer = { authorization: `Bearer ${secret}` };
  const res = await call('POST', '/api/v1/device-models', t.admin, {
    name: `Press ${uniq()}`,
    kind: 'machine',
    wearParts: ['seal-kit', 'bearing'],
  });
  expect(res.statusCode).toBe(201);
  sharedModel = res.json().id;
});
afterAll(() => h.close());

describe('device models', () => {
  it('staff create shared models; a customer creates for its account; names are unique per owner', async () => {
    const name = `Meter ${uniq()}`;
    const own = await call('POST', '/api/v1/device-models', t.customer, {
      name,
      kind: 'meter',
      consumables: ['battery'],
    });
    expect(own.statusCode).toBe(201);
    expect(own.json()).toMatchObject({ ownerAccountId: t.child.id, consumables: ['battery'], wearParts: [] });
    const again = await call('POST', '/api/v1/device-models', t.customer, { name: name.toUpperCase(), kind: 'meter' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.details[0]).toMatchObject({ field: 'name' });
    const foreign = await call('POST', '/api/v1/device-models', other.customer, {
      name: 'x',
      kind: 'other',
      ownerAccountId: t.child.id,
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.details[0]).toMatchObject({ field: 'ownerAccountId', value: t.child.id });
    // A customer principal without an account (users refuses to create one; defence in depth) makes no shared model.
    const lost = { ...cliPrincipal('lost'), role: 'customer' as const, tenantId: null, accountId: null };
    await expect(
      h.services.devices.createModel(lost, { name: `z-${uniq()}`, kind: 'other', wearParts: [], consumables: [] }),
    ).rejects.toMatchObject({ kind: 'forbidden', details: [expect.objectContaining({ field: 'ownerAccountId' })] });
    const bad = await call('POST', '/api/v1/device-models', t.customer, { name: 'y', kind: 'toaster' });
    expect(bad.statusCode).toBe(400);

    const mine = (await call('GET', '/api/v1/device-models', t.customer)).json().items.map((m: { id: number }) => m.id);
    expect(mine).toEqual(expect.arrayContaining([sharedModel, own.json().id]));
    const theirs = (await call('GET', '/api/v1/device-models', other.customer)).json().items;
    expect(theirs.map((m: { id: number }) => m.id)).not.toContain(own.json().id);
  });
});

describe('devices', () => {
  let sim: MadeSim;
  let rootSim: MadeSim;
  beforeAll(async () => {
    [sim] = (await makeSims(h.services, t.child.id, 1)) as [MadeSim];
    [rootSim] = (await makeSims(h.services, t.root.id, 1)) as [MadeSim];
  });

  it('registers, reads, lists and changes a device within the customer subtree', async () => {
    const externalId = `meter-${uniq()}`;
    const created = await call('POST', '/api/v1/devices', t.customer, {
      externalId,
      name: 'Meter A',
      accountId: t.child.id,
      modelId: sharedModel,
      iccid: sim.iccid,
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ externalId, iccid: sim.iccid20, accountId: t.child.id, latest: [] });
    const id = created.json().id;
    expect((await call('GET', `/api/v1/devices/${id}`, t.rootCustomer)).statusCode).toBe(200);
    expect((await call('GET', `/api/v1/devices/${id}`, other.customer)).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/devices/999999999', t.customer)).statusCode).toBe(404);
    const list = await call('GET', '/api/v1/devices', t.customer);
    expect(list.json().items.map((d: { id: number }) => d.id)).toContain(id);
    expect((await call('GET', '/api/v1/devices', other.customer)).json().items).toEqual([]);

    const dup = await call('POST', '/api/v1/devices', t.customer, {
      externalId,
      accountId: t.child.id,
      modelId: sharedModel,
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.details[0]).toMatchObject({ field: 'externalId', value: externalId });

    const patched = await call('PATCH', `/api/v1/devices/${id}`, t.customer, { name: 'Meter B', iccid: null });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'Meter B', iccid: null });
    expect((await call('PATCH', `/api/v1/devices/${id}`, other.customer, { name: 'x' })).statusCode).toBe(404);
  });

  it("refuses a SIM outside the device account's subtree, an unknown account, another customer's model", async () => {
    const up = await call('POST', '/api/v1/devices', t.customer, {
      externalId: `d-${uniq()}`,
      accountId: t.child.id,
      modelId: sharedModel,
      iccid: rootSim.iccid20,
    });
    expect(up.statusCode).toBe(400);
    expect(up.json().error.details[0]).toMatchObject({ field: 'iccid', value: rootSim.iccid20 });
    // Staff reach the root's SIM, but it does not sit under the child account.
    const staff = await call('POST', '/api/v1/devices', t.admin, {
      externalId: `d-${uniq()}`,
      accountId: t.child.id,
      modelId: sharedModel,
      iccid: rootSim.iccid20,
    });
    expect(staff.statusCode).toBe(400);
    expect(staff.json().error.details[0].reason).toContain('subtree');
    const acct = await call('POST', '/api/v1/devices', other.customer, {
      externalId: `d-${uniq()}`,
      accountId: t.child.id,
      modelId: sharedModel,
    });
    expect(acct.statusCode).toBe(400);
    expect(acct.json().error.details[0]).toMatchObject({ field: 'accountId' });
    const theirModel = await call('POST', '/api/v1/device-models', other.customer, {
      name: `m-${uniq()}`,
      kind: 'other',
    });
    const model = await call('POST', '/api/v1/devices', t.customer, {
      externalId: `d-${uniq()}`,
      accountId: t.child.id,
      modelId: theirModel.json().id,
    });
    expect(model.statusCode).toBe(400);
    expect(model.json().error.details[0]).toMatchObject({ field: 'modelId' });
  });

  it('staff registration adopts telemetry that arrived before the device; answers the series paged and the latest values', async () => {
    const externalId = `press-${uniq()}`;
    const early = await postTelemetry([
      { id: 'e1', ts: ago(30), deviceId: externalId, metrics: { 'wear_pct.seal-kit': 80, production_units: 100 } },
      { id: 'e2', ts: ago(20), deviceId: externalId, metrics: { 'wear_pct.seal-kit': 85, production_units: 150 } },
    ]);
    expect(early.json().accepted).toBe(2);
    const created = await call('POST', '/api/v1/devices', t.agent, {
      externalId,
      accountId: t.child.id,
      modelId: sharedModel,
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect(created.json().latest).toEqual([
      { metric: 'production_units', ts: expect.any(String), value: 150 },
      { metric: 'wear_pct.seal-kit', ts: expect.any(String), value: 85 },
    ]);
    await postTelemetry([{ id: 'e3', ts: ago(10), deviceId: externalId, metrics: { 'wear_pct.seal-kit': 87.5 } }]);

    const wear = await call('GET', `/api/v1/devices/${id}/telemetry?metric=wear_pct.seal-kit`, t.customer);
    expect(wear.statusCode).toBe(200);
    expect(wear.json().items.map((v: { value: number }) => v.value)).toEqual([87.5, 85, 80]);
    const walked: unknown[] = [];
    let cursor: string | null = null;
    do {
      const r = await call(
        'GET',
        `/api/v1/devices/${id}/telemetry?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        t.customer,
      );
      walked.push(...r.json().items);
      cursor = r.json().nextCursor;
    } while (cursor);
    expect(walked).toHaveLength(5);
    expect(walked).toEqual((await call('GET', `/api/v1/devices/${id}/telemetry`, t.customer)).json().items);
    const bad = await call('GET', `/api/v1/devices/${id}/telemetry?cursor=eHh4`, t.customer);
    expect(bad.json().error.details[0]).toMatchObject({ field: 'cursor' });
    const swapped = await call('GET', `/api/v1/devices/${id}/telemetry?from=${ago(1)}&to=${ago(60)}`, t.customer);
    expect(swapped.json().error.details.map((d: { field: string }) => d.field)).toEqual(['from', 'to']);
    expect((await call('GET', `/api/v1/devices/${id}/telemetry`, other.customer)).statusCode).toBe(404);
    const latest = (await call('GET', `/api/v1/devices/${id}`, t.customer)).json().latest;
    expect(latest).toContainEqual(expect.objectContaining({ metric: 'wear_pct.seal-kit', value: 87.5 }));
  });

  it("a customer's registration does not adopt earlier orphan telemetry: the device starts with no history", async () => {
    // The provider's producer sends under an id nobody registered; another tenant's customer then claims the id.
    const externalId = `nordgrid-meter-${uniq()}`;
    const early = await postTelemetry([
      { id: 'o1', ts: ago(30), deviceId: externalId, metrics: { kwh: 10 } },
      { id: 'o2', ts: ago(20), deviceId: externalId, metrics: { kwh: 12 } },
    ]);
    expect(early.json().accepted).toBe(2);
    const created = await call('POST', '/api/v1/devices', other.customer, {
      externalId,
      accountId: other.child.id,
      modelId: sharedModel,
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().latest).toEqual([]);
    const id = created.json().id;
    const series = async () =>
      (await call('GET', `/api/v1/devices/${id}/telemetry`, other.customer))
        .json()
        .items.map((v: { value: number }) => v.value);
    expect(await series()).toEqual([]);
    // From its registration on the telemetry is its own, even records timed before it.
    await postTelemetry([{ id: 'o3', ts: ago(25), deviceId: externalId, metrics: { kwh: 11 } }]);
    expect(await series()).toEqual([11]);
    // Neither a later adoption round (SIM import, hourly maintenance) nor staff reading changes that.
    await h.services.ingest.adoptOrphans();
    expect(await series()).toEqual([11]);
    expect((await call('GET', `/api/v1/devices/${id}`, other.customer)).json().latest).toEqual([
      { metric: 'kwh', ts: expect.any(String), value: 11 },
    ]);
    // The earlier records stay orphans, the provider's to look into.
    const orphans = await call('GET', '/api/v1/ingest/orphans?limit=1000', t.agent);
    expect(orphans.json().telemetry).toContainEqual(expect.objectContaining({ deviceId: externalId, records: 2 }));
  });

  it("a customer's 409 for a taken device id does not tell whose it is", async () => {
    const externalId = `meter-${uniq()}`;
    const body = { externalId, accountId: t.child.id, modelId: sharedModel };
    expect((await call('POST', '/api/v1/devices', t.customer, body)).statusCode).toBe(201);
    const own = await call('POST', '/api/v1/devices', t.customer, body);
    const foreign = await call('POST', '/api/v1/devices', other.customer, { ...body, accountId: other.child.id });
    expect(foreign.statusCode).toBe(409);
    const { requestId: _a, ...foreignError } = foreign.json().error;
    const { requestId: _b, ...ownError } = own.json().error;
    expect(foreignError).toEqual(ownError);
    expect(foreignError).toMatchObject({
      code: 'devices.external_id_taken',
      message: `externalId ${externalId} is not available`,
    });
    expect(JSON.stringify(foreignError)).not.toMatch(/exists|registered/);
    // Staff are told plainly.
    const staff = await call('POST', '/api/v1/devices', t.agent, body);
    expect(staff.json().error.message).toBe(`A device with externalId ${externalId} exists`);
  });
});
