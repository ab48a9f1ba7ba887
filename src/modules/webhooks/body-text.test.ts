import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, harness } from '../../../test/support/harness.ts';
import { bodyText } from './body-text.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

describe('bodyText', () => {
  it('serialises a body exactly as the same body read back from jsonb (first attempt = retry, byte for byte)', async () => {
    const body = {
      type: 'case.opened',
      timestamp: '2026-12-05T10:00:00.000Z',
      data: {
        case: { number: 'C-2026-000123', subject: 'Zürich meters', priority: 'P2', sims: ['8946', '8947'] },
        zz: null,
        a: 1.5,
        ab: true,
        é: 'two bytes',
        e: 'one byte',
        '10': 'integer-like',
        '2': 'keys',
        entry: { authorLabel: 'Service desk', body: 'line\nbreak "quoted" \u2028' },
      },
      skipped: undefined,
    };
    const [row] = await h.ctx.database.query<{ b: unknown }>('select $1::jsonb as b', [JSON.stringify(body)]);
    expect(bodyText(body)).toBe(JSON.stringify(row!.b));
    expect(bodyText(row!.b)).toBe(bodyText(body));
  });
});
