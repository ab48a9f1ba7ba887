import { randomBytes } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, uniq } from '../../../../test/support/harness.ts';
import { randomIccid } from '../../../../test/support/sims-factory.ts';
import { cliPrincipal } from '../../../platform/auth.ts';
import { type EmbeddedBroker, startEmbeddedBroker } from './embedded-broker.ts';
import { type ExternalConsumer, startExternalConsumer } from './external-consumer.ts';

// Both MQTT paths against the real ingest service and database: what a PUBACK promises is in the tables.
let h: Harness;
let broker: EmbeddedBroker;
let consumer: ExternalConsumer;
let producer: MqttClient;
let name: string;
let secret: string;
let credentialId: number;
const run = randomBytes(4).toString('hex');

beforeAll(async () => {
  h = await harness();
  const deps = { service: h.services.ingest, metrics: h.ctx.metrics, log: h.ctx.log };
  broker = await startEmbeddedBroker(deps, { port: 0, host: '127.0.0.1' });
  consumer = await startExternalConsumer(deps, {
    url: 'mqtt://127.0.0.1:1883',
    shareGroup: `svc-${run}`,
    clientId: `iotops-svc-${run}`,
    sessionExpirySeconds: 30,
  });
  name = `mediation-${uniq()}`;
  const made = await h.services.ingest.createCredential(cliPrincipal(), { name });
  secret = made.secret;
  credentialId = made.credential.id;
  producer = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
    username: name,
    password: secret,
    protocolVersion: 4,
  });
});
afterAll(async () => {
  await producer.endAsync();
  await broker.close();
  await consumer.close();
  await h.services.ingest.close();
  await h.close();
});

const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
const stored = async (iccid19: string) =>
  (
    await h.ctx.database.query<{ event_id: string; type: string }>(
      'select event_id, type from network_events where iccid = $1 order by ts',
      [iccid19],
    )
  ).map((r) => `${r.event_id}:${r.type}`);

describe('MQTT ingest into the database', () => {
  it('embedded broker: a PUBACKed event is stored; a re-sent id is stored once', async () => {
    const iccid = randomIccid();
    const id = `m-${uniq()}`;
    const rec = JSON.stringify({ id, ts: ago(2), type: 'detach' });
    await producer.publishAsync(`iotops/v1/network/${iccid}`, rec, { qos: 1 });
    expect(await stored(iccid.slice(0, 19))).toEqual([`${id}:detach`]);
    await producer.publishAsync(`iotops/v1/network/${iccid}`, rec, { qos: 1 });
    expect(await stored(iccid.slice(0, 19))).toEqual([`${id}:detach`]);
  });

  it('embedded broker: a record contradicting its topic is acknowledged and listed as an ingest error', async () => {
    const iccid = randomIccid();
    const other = randomIccid();
    await producer.publishAsync(
      `iotops/v1/network/${iccid}`,
      JSON.stringify({ ts: ago(1), iccid: other, type: 'detach' }),
      {
        qos: 1,
      },
    );
    const errors = await h.ctx.database.query<{ reason: string; transport: string; credential_id: number }>(
      'select reason, transport, credential_id::int as credential_id from ingest_errors where topic = $1',
      [`iotops/v1/network/${iccid}`],
    );
    expect(errors).toEqual([{ reason: 'topic_mismatch', transport: 'mqtt', credential_id: credentialId }]);
    expect(await stored(iccid.slice(0, 19))).toEqual([]);
  });

  it('embedded broker: a revoked credential cannot connect', async () => {
    const { credential, secret: s } = await h.services.ingest.createCredential(cliPrincipal(), {
      name: `gone-${uniq()}`,
    });
    await h.services.ingest.revokeCredential(credential.id);
    await expect(
      connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
        username: credential.name,
        password: s,
        protocolVersion: 4,
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/bad username or password/i);
  });

  it('external broker (Mosquitto): an event published there is stored by the consumer', async () => {
    const iccid = randomIccid();
    const id = `x-${uniq()}`;
    const pub = await connectAsync('mqtt://127.0.0.1:1883', { protocolVersion: 5, clientId: `svc-pub-${run}` });
    try {
      await pub.publishAsync(
        `iotops/v1/network/${iccid}`,
        JSON.stringify({ id, ts: ago(1), type: 'attach', network: { mcc: '240', mnc: '07' } }),
        { qos: 1 },
      );
    } finally {
      await pub.endAsync();
    }
    const deadline = Date.now() + 5000;
    let rows = await stored(iccid.slice(0, 19));
    while (rows.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20)); // the consumer's write; no event to wait for from here
      rows = await stored(iccid.slice(0, 19));
    }
    expect(rows).toEqual([`${id}:attach`]);
  });
});
