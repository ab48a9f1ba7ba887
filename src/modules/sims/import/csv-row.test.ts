import { describe, expect, it } from 'vitest';
import { type Lookups, parseHeader, type RowError, validateRow } from './csv-row.ts';
import { fakeSim } from './sim-fixtures.ts';

const ALL = ['iccid', 'imsi', 'msisdn', 'imei', 'eid', 'account', 'communication_plan', 'rate_plan', 'state', 'label'];
const { header } = parseHeader([...ALL, 'custom.site']);
const A1 = { id: 7, tenantId: 3, path: '/3/7/' };
const lk: Lookups = {
  account: (n) => (n === 'A-1' ? A1 : undefined),
  accountById: (id) => (id === 7 ? A1 : undefined),
  communicationPlan: Object.assign(
    (name: string, path: string) => (name === 'Data' && path === '/3/7/' ? 11 : undefined),
    {
      isAvailable: (id: number) => id === 11,
    },
  ),
  ratePlan: Object.assign((name: string) => (name === 'Flat' ? 12 : undefined), {
    isAvailable: (id: number) => id === 12,
  }),
};
const s = fakeSim(42);
const good: Record<string, string> = {
  iccid: s.iccid,
  imsi: s.imsi,
  msisdn: s.msisdn,
  imei: s.imei,
  eid: '8'.repeat(32),
  account: 'A-1',
  communication_plan: 'Data',
  rate_plan: 'Flat',
  state: 'ACTIVATED',
  label: 'pump 7',
  'custom.site': 'Kiruna',
};
const cells = (over: Record<string, string>) => [...ALL, 'custom.site'].map((c) => over[c] ?? good[c] ?? '');

function check(over: Record<string, string>) {
  const errors: RowError[] = [];
  const row = validateRow(cells({ ...good, ...over }), 9, header, lk, errors);
  return { row, errors };
}

describe('parseHeader', () => {
  it('accepts known columns in any order and custom.<name>', () => {
    const r = parseHeader(['account', ' iccid ', 'custom.po-number']);
    expect(r.errors).toEqual([]);
    expect(r.header.at.iccid).toBe(1);
    expect(r.header.custom).toEqual([{ name: 'po-number', index: 2 }]);
  });
  it('names unknown, repeated and missing columns (line 1)', () => {
    const r = parseHeader(['iccid', 'iccid', 'ICCID2', 'custom.']);
    expect(r.errors).toEqual([
      { line: 1, field: 'iccid', value: 'iccid', reason: 'column 2 repeats an earlier column' },
      expect.objectContaining({
        line: 1,
        field: 'ICCID2',
        value: 'ICCID2',
        reason: expect.stringContaining('unknown column'),
      }),
      expect.objectContaining({ line: 1, field: 'custom.', value: 'custom.' }),
      { line: 1, field: 'account', value: null, reason: 'required column missing' },
    ]);
  });
});

describe('validateRow: every rule of the contract, each naming line, field and value', () => {
  it('a valid line is normalised (ICCID body, MSISDN without +, ids resolved)', () => {
    const { row, errors } = check({ msisdn: `+${s.msisdn}` });
    expect(errors).toEqual([]);
    expect(row).toMatchObject({
      line: 9,
      iccid: s.iccid.slice(0, 19),
      imsis: [s.imsi],
      msisdn: s.msisdn,
      accountId: 7,
      tenantId: 3,
      communicationPlanId: 11,
      ratePlanId: 12,
      state: 'ACTIVATED',
      label: 'pump 7',
      custom: { site: 'Kiruna' },
    });
  });
  it('accepts a 19-digit ICCID and leaves optional cells empty', () => {
    const { row } = check({
      iccid: s.iccid.slice(0, 19),
      imsi: '',
      msisdn: '',
      imei: '',
      eid: '',
      state: '',
      label: '',
    });
    expect(row).toMatchObject({ iccid: s.iccid.slice(0, 19), imsis: null, msisdn: null, state: null, label: null });
  });

  const wrongLuhn = s.iccid.slice(0, 19) + String((Number(s.iccid[19]) + 1) % 10);
  const cases: [string, Record<string, string>, string, string | RegExp][] = [
    ['iccid', { iccid: '' }, '', 'required'],
    ['iccid', { iccid: '89460000000000000a1' }, '89460000000000000a1', 'must be digits only'],
    ['iccid', { iccid: '894600000000000001' }, '894600000000000001', 'must be 19 or 20 digits, got 18'],
    ['iccid', { iccid: '1946000000000000001' }, '1946000000000000001', /must start with 89/],
    ['iccid', { iccid: wrongLuhn }, wrongLuhn, /check digit .* is wrong/],
    ['imsi', { imsi: '2409912345678' }, '2409912345678', 'must be 14–15 digits, got 13'],
    ['imsi', { imsi: '123451234567890' }, '123451234567890', 'unknown MCC 123'],
    ['imsi', { imsi: `${s.imsi};${s.imsi}` }, s.imsi, 'listed twice on this line'],
    ['imsi', { imsi: `${s.imsi};` }, '', 'empty IMSI in the list'],
    ['msisdn', { msisdn: '46 70 123' }, '46 70 123', /digits only/],
    ['msisdn', { msisdn: '4670123456789012' }, '4670123456789012', 'must be 7–15 digits, got 16'],
    ['imei', { imei: '35000000000001' + '9' }, '350000000000019', /check digit/],
    ['imei', { imei: '3500000000' }, '3500000000', 'must be 14, 15 or 16 digits, got 10'],
    ['eid', { eid: '8'.repeat(31) }, '8'.repeat(31), 'must be 32 digits, got 31'],
    ['account', { account: '' }, '', 'required'],
    ['account', { account: 'A-2' }, 'A-2', 'no account with this number'],
    ['communication_plan', { communication_plan: 'Voice' }, 'Voice', /no communication plan .* account A-1/],
    ['rate_plan', { rate_plan: 'Gold' }, 'Gold', /no rate plan .* account A-1/],
    ['state', { state: 'active' }, 'active', /unknown lifecycle state/],
    ['label', { label: 'x'.repeat(201) }, 'x'.repeat(201), 'longer than 200 characters (201)'],
    ['custom.site', { 'custom.site': 'y'.repeat(1001) }, 'y'.repeat(1001), /longer than 1000/],
  ];
  it.each(cases)('%s %j', (field, over, value, reason) => {
    const { row, errors } = check(over);
    expect(row).toBeNull();
    expect(errors).toEqual([
      { line: 9, field, value, reason: typeof reason === 'string' ? reason : expect.stringMatching(reason) },
    ]);
  });

  it('reports every problem of a line, and a wrong field count once', () => {
    const { errors } = check({ iccid: 'x', msisdn: 'y', state: 'z' });
    expect(errors.map((e) => e.field)).toEqual(['iccid', 'msisdn', 'state']);
    const short: RowError[] = [];
    expect(validateRow(['1', '2'], 4, header, lk, short)).toBeNull();
    expect(short).toEqual([
      { line: 4, field: '(line)', value: '2 fields', reason: 'expected 11 fields as in the header, got 2' },
    ]);
  });
});
