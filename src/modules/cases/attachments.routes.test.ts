import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness, makeTenant, type Tenant } from '../../../test/support/harness.ts';
import { contentDisposition } from './case-parties.presenter.ts';

const MAX = 4096;
let h: Harness;
let t: Tenant;
let other: Tenant;

beforeAll(async () => {
  h = await harness({ attachmentMaxBytes: MAX });
  t = await makeTenant(h.services);
  other = await makeTenant(h.services);
});
afterAll(() => h.close());

type Json = Record<string, unknown>;
type Headers = Record<string, string>;

async function openCase(headers: Headers = t.agent, tenant: Tenant = t): Promise<string> {
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/v1/cases',
    headers,
    payload: { accountId: tenant.child.id, type: 'incident', subject: 'Meters offline' },
  });
  expect(res.statusCode).toBe(201);
  return res.json().number;
}
async function entry(number: string, headers: Headers, payload: Json): Promise<number> {
  const res = await h.app.inject({ method: 'POST', url: `/api/v1/cases/${number}/events`, headers, payload });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}
const upload = (
  number: string,
  eventId: number | string,
  headers: Headers,
  body: Buffer | string | undefined,
  filename = 'trace.pcap',
  contentType = 'application/vnd.tcpdump.pcap',
) =>
  h.app.inject({
    method: 'POST',
    url: `/api/v1/cases/${number}/events/${eventId}/attachments?filename=${encodeURIComponent(filename)}`,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': contentType }) },
    ...(body === undefined ? {} : { payload: body }),
  });
const download = (number: string, id: number, headers: Headers) =>
  h.app.inject({ method: 'GET', url: `/api/v1/cases/${number}/attachments/${id}`, headers });
const timeline = async (number: string, headers: Headers): Promise<Json[]> =>
  (await h.app.inject({ method: 'GET', url: `/api/v1/cases/${number}/events`, headers })).json().items;

describe('attachments', () => {
  it('stores the bytes and answers them back unchanged, typed, as a download; the timeline lists them', async () => {
    const n = await openCase();
    const note = await entry(n, t.agent, { kind: 'note', body: 'trace attached' });
    const bytes = randomBytes(3000);
    const res = await upload(n, note, t.agent, bytes);
    expect(res.statusCode, res.body).toBe(201);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(res.json()).toMatchObject({ eventId: note, filename: 'trace.pcap', size: 3000, sha256 });

    const got = await download(n, res.json().id, t.agent);
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(bytes)).toBe(true);
    expect(got.headers['content-type']).toBe('application/vnd.tcpdump.pcap');
    expect(got.headers['content-disposition']).toBe(`attachment; filename="trace.pcap"; filename*=UTF-8''trace.pcap`);
    expect(got.headers['x-content-type-options']).toBe('nosniff');

    const items = await timeline(n, t.agent);
    expect(items.find((e) => e.id === note)?.attachments).toEqual([
      expect.objectContaining({ id: res.json().id, size: 3000, sha256, contentType: 'application/vnd.tcpdump.pcap' }),
    ]);
    expect(items.filter((e) => e.id !== note).every((e) => (e.attachments as unknown[]).length === 0)).toBe(true);
  });

  it('takes any content type as raw bytes, JSON and text included', async () => {
    const n = await openCase();
    const note = await entry(n, t.agent, { kind: 'note', body: 'config' });
    const body = '{"apn": "iot.example"';
    const res = await upload(n, note, t.agent, body, 'apn.json', 'application/json');
    expect(res.statusCode, res.body).toBe(201);
    const got = await download(n, res.json().id, t.agent);
    expect(got.body).toBe(body);
    expect(got.headers['content-type']).toBe('application/json');
  });

  it('customers attach to their own public portal messages and download public attachments of their cases', async () => {
    const n = await openCase(t.customer);
    const mine = await entry(n, t.customer, { kind: 'portal_message', body: 'screenshot' });
    const res = await upload(n, mine, t.customer, Buffer.from('PNG...'), 'screen.png', 'image/png');
    expect(res.statusCode, res.body).toBe(201);
    expect((await download(n, res.json().id, t.customer)).body).toBe('PNG...');

    // A staff reply the customer sees, and an internal note it must not.
    const reply = await entry(n, t.agent, { kind: 'portal_message', body: 'see attached' });
    const internal = await entry(n, t.agent, { kind: 'note', body: 'partner trace' });
    const pub = (await upload(n, reply, t.agent, 'public file', 'answer.txt', 'text/plain')).json();
    const secret = (await upload(n, internal, t.agent, 'internal file', 'partner.txt', 'text/plain')).json();

    expect((await download(n, pub.id, t.customer)).body).toBe('public file');
    const hidden = await download(n, secret.id, t.customer);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().error.code).toBe('cases.attachment_not_found');
    const seen = JSON.stringify(await timeline(n, t.customer));
    expect(seen).toContain('answer.txt');
    expect(seen).not.toContain('partner.txt');

    const onStaffEntry = await upload(n, reply, t.customer, 'x');
    expect(onStaffEntry.statusCode).toBe(403);
    expect(onStaffEntry.json().error.details).toEqual([
      { field: 'eventId', value: reply, reason: 'not your portal message' },
    ]);
    // An internal entry answers like a missing one.
    expect((await upload(n, internal, t.customer, 'x')).statusCode).toBe(404);
  });

  it("404 for another tenant's customer, both ways; 401 without credentials", async () => {
    const n = await openCase();
    const note = await entry(n, t.agent, { kind: 'portal_message', body: 'public' });
    const a = (await upload(n, note, t.agent, 'data')).json();
    expect((await download(n, a.id, other.customer)).statusCode).toBe(404);
    expect((await upload(n, note, other.customer, 'data')).statusCode).toBe(404);
    expect((await download(n, a.id, {})).statusCode).toBe(401);
    expect((await upload(n, note, {}, 'data')).statusCode).toBe(401);
    // An attachment of another case answers 404 under this one's number.
    const theirs = await openCase(other.agent, other);
    expect((await download(theirs, a.id, other.agent)).statusCode).toBe(404);
  });

  it('413 above ATTACHMENT_MAX_BYTES, 400 for an empty body, an unknown entry or a bad content type', async () => {
    const n = await openCase();
    const note = await entry(n, t.agent, { kind: 'note', body: 'x' });
    const big = await upload(n, note, t.agent, randomBytes(MAX + 1));
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toMatchObject({
      code: 'cases.attachment_too_large',
      details: [expect.objectContaining({ field: 'body', value: MAX + 1 })],
    });
    expect((await upload(n, note, t.agent, randomBytes(MAX))).statusCode).toBe(201);

    for (const body of [undefined, Buffer.alloc(0)]) {
      const empty = await upload(n, note, t.agent, body);
      expect(empty.statusCode).toBe(400);
      expect(empty.json().error.details).toEqual([{ field: 'body', value: 0, reason: 'empty' }]);
    }
    const missing = await upload(n, 999_999_999, t.agent, 'x');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.details).toContainEqual(expect.objectContaining({ field: 'eventId' }));
    const badType = await upload(n, note, t.agent, 'x', 'a.bin', 'not a type');
    expect(badType.statusCode).toBe(400);
    expect(badType.json().error.details).toContainEqual(
      expect.objectContaining({ field: 'content-type', value: 'not a type' }),
    );
  });

  it('400 names a filename with a path separator, a control character, or over 255 characters', async () => {
    const n = await openCase();
    const note = await entry(n, t.agent, { kind: 'note', body: 'x' });
    for (const filename of ['../etc/passwd', 'a\\b.txt', 'a\nb.txt', 'x'.repeat(256), '..']) {
      const res = await upload(n, note, t.agent, 'x', filename);
      expect(res.statusCode, filename).toBe(400);
      expect(res.json().error.details).toContainEqual(
        // Echoed values are cut at 200 characters (platform/http/json-body.ts clip).
        expect.objectContaining({
          field: 'querystring.filename',
          value: filename.length > 200 ? `${filename.slice(0, 200)}…` : filename,
        }),
      );
    }
    const noName = await h.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${n}/events/${note}/attachments`,
      headers: { ...t.agent, 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(noName.statusCode).toBe(400);
  });

  it('quotes a filename safely in Content-Disposition and keeps the exact name in filename*', async () => {
    const name = 'rapport "Q1" ö\\x;.pdf';
    expect(contentDisposition(name)).toBe(
      `attachment; filename="rapport \\"Q1\\" _\\\\x;.pdf"; filename*=UTF-8''rapport%20%22Q1%22%20%C3%B6%5Cx%3B.pdf`,
    );
    // Uploads refuse backslashes (a path separator); the quoting still covers names stored before that rule.
    const stored = 'rapport "Q1" ö;.pdf';
    const n = await openCase();
    const note = await entry(n, t.agent, { kind: 'note', body: 'x' });
    const up = await upload(n, note, t.agent, 'pdf', stored, 'application/pdf');
    expect(up.statusCode, up.body).toBe(201);
    const a = up.json();
    expect(a.filename).toBe(stored);
    expect((await download(n, a.id, t.agent)).headers['content-disposition']).toBe(
      `attachment; filename="rapport \\"Q1\\" _;.pdf"; filename*=UTF-8''rapport%20%22Q1%22%20%C3%B6%3B.pdf`,
    );
  });
});
