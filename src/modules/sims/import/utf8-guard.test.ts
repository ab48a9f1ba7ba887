import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { utf8Guard } from './utf8-guard.ts';

/** Feeds `bytes` in chunks of `size` through the guard; the text, or the AppError it refused with. */
async function run(bytes: Buffer, size: number, maxLine?: number) {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  try {
    return { text: await text(Readable.from(chunks).pipe(utf8Guard(maxLine))) };
  } catch (e) {
    return { error: e as { code: string; details: { line: number; value: string; reason: string }[] } };
  }
}

describe('utf8Guard', () => {
  const good = Buffer.from('iccid,label\n1,Zürich 🚚 Ærø\n2,東京\n', 'utf8');

  it('passes UTF-8 through unchanged whatever the chunk boundaries (multi-byte characters cut anywhere)', async () => {
    for (const size of [1, 2, 3, 5, 7, good.length]) expect((await run(good, size)).text).toBe(good.toString('utf8'));
  });

  it('refuses a line longer than the limit as it arrives, naming it, whatever the chunk boundaries', async () => {
    const file = Buffer.from(`iccid,label\n1,${'x'.repeat(8)}\n2,${'y'.repeat(20)}\n3,z\n`);
    for (const size of [1, 3, 7, file.length]) {
      expect((await run(file, size, 20)).error?.details[0]).toMatchObject({ line: 3, reason: /longer than 20 bytes/ });
      expect((await run(file, size, 22)).text).toBe(file.toString());
    }
    // No newline at all: refused once the limit is passed, not at the end.
    const endless = Buffer.from('i'.repeat(100));
    expect((await run(endless, 10, 20)).error?.details[0]).toMatchObject({ line: 1 });
  });

  it('refuses a Latin-1 byte naming its line and byte', async () => {
    const latin1 = Buffer.from('iccid,label\n1,ok\n2,Z\xfcrich\n', 'latin1');
    for (const size of [1, 4, latin1.length]) {
      const r = await run(latin1, size);
      expect(r.error?.code).toBe('sims.import_not_utf8');
      expect(r.error?.details[0]).toMatchObject({
        line: 3,
        value: '0xfc',
        reason: expect.stringMatching(/byte 0xfc at byte 4/),
      });
    }
  });

  it('refuses overlong encodings and UTF-16 surrogates, and a file cut inside a character', async () => {
    expect((await run(Buffer.from([0x61, 0xc0, 0xaf]), 8)).error?.code).toBe('sims.import_not_utf8');
    expect((await run(Buffer.from([0x61, 0xed, 0xa0, 0x80]), 8)).error?.code).toBe('sims.import_not_utf8');
    const cut = await run(Buffer.from([0x61, 0x0a, 0xe2, 0x82]), 8);
    expect(cut.error?.details[0]).toMatchObject({ line: 2, reason: expect.stringMatching(/ends inside/) });
  });
});
