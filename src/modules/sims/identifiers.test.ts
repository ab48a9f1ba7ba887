import { describe, expect, it } from 'vitest';
import { checkEid, checkIccid, checkImei, checkImsi, checkMsisdn, displayIccid, luhnDigit } from './identifiers.ts';

describe('luhnDigit', () => {
  it('gives the textbook check digits', () => {
    expect(luhnDigit('7992739871')).toBe(3); // the ISO/IEC 7812 example 79927398713
    expect(luhnDigit('49015420323751')).toBe(8); // IMEI 49-015420-323751-8
    expect(luhnDigit('8901410321111851072')).toBe(0); // ICCID 89014103211118510720
  });

  it('is 0 for an all-zero body and catches a single changed digit', () => {
    expect(luhnDigit('000000')).toBe(0);
    expect(luhnDigit('7992739871')).not.toBe(luhnDigit('7992739872'));
  });
});

describe('checkIccid', () => {
  it('accepts 19 digits and stores them as the body', () => {
    expect(checkIccid('8901410321111851072')).toEqual({ ok: true, value: '8901410321111851072' });
  });

  it('accepts 20 digits with the right Luhn digit and drops it', () => {
    expect(checkIccid(' 89014103211118510720 ')).toEqual({ ok: true, value: '8901410321111851072' });
  });

  it('rejects 20 digits with a wrong check digit, naming the expected one', () => {
    expect(checkIccid('89014103211118510721')).toEqual({ ok: false, reason: 'check digit 1 is wrong (Luhn gives 0)' });
  });

  it('rejects wrong lengths, non-digits and a prefix other than 89', () => {
    expect(checkIccid('890141032111185107')).toEqual({ ok: false, reason: 'must be 19 or 20 digits, got 18' });
    expect(checkIccid('890141032111185107200')).toMatchObject({ ok: false });
    expect(checkIccid('89014103211118510A2')).toEqual({ ok: false, reason: 'must be digits only' });
    expect(checkIccid('')).toEqual({ ok: false, reason: 'must be digits only' });
    expect(checkIccid('9901410321111851072')).toEqual({ ok: false, reason: 'must start with 89 (ITU E.118 telecom)' });
  });

  it('displayIccid appends the Luhn digit: check and display round-trip', () => {
    expect(displayIccid('8901410321111851072')).toBe('89014103211118510720');
    const body = '8946000000000000001';
    expect(checkIccid(displayIccid(body))).toEqual({ ok: true, value: body });
  });
});

describe('checkImsi', () => {
  it('accepts 14–15 digits with a known MCC', () => {
    expect(checkImsi('240071234567890')).toEqual({ ok: true, value: '240071234567890' });
    expect(checkImsi('24007123456789')).toMatchObject({ ok: true });
  });

  it('rejects an unknown MCC, wrong length and non-digits', () => {
    expect(checkImsi('100071234567890')).toEqual({ ok: false, reason: 'unknown MCC 100' });
    expect(checkImsi('2400712345678')).toEqual({ ok: false, reason: 'must be 14–15 digits, got 13' });
    expect(checkImsi('24007123456789x')).toEqual({ ok: false, reason: 'must be digits only' });
  });
});

describe('checkMsisdn', () => {
  it('strips a leading + and keeps E.164 digits', () => {
    expect(checkMsisdn('+46701234567')).toEqual({ ok: true, value: '46701234567' });
  });

  it('rejects a national number starting with 0 and bad lengths', () => {
    expect(checkMsisdn('0701234567')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('never start with 0'),
    });
    expect(checkMsisdn('123456')).toEqual({ ok: false, reason: 'must be 7–15 digits, got 6' });
    expect(checkMsisdn('1234567890123456')).toMatchObject({ ok: false });
  });
});

describe('checkImei', () => {
  it('accepts 15 digits with a valid Luhn digit, 14 without, 16 (IMEISV)', () => {
    expect(checkImei('490154203237518')).toEqual({ ok: true, value: '490154203237518' });
    expect(checkImei('49015420323751')).toMatchObject({ ok: true });
    expect(checkImei('4901542032375101')).toMatchObject({ ok: true });
  });

  it('rejects a wrong check digit and other lengths', () => {
    expect(checkImei('490154203237519')).toEqual({ ok: false, reason: 'check digit 9 is wrong (Luhn gives 8)' });
    expect(checkImei('4901542032375')).toEqual({ ok: false, reason: 'must be 14, 15 or 16 digits, got 13' });
  });
});

describe('checkEid', () => {
  it('accepts exactly 32 digits', () => {
    expect(checkEid('89049032000001000000012345678901')).toMatchObject({ ok: true });
    expect(checkEid('8904903200000100000001234567890')).toEqual({ ok: false, reason: 'must be 32 digits, got 31' });
    expect(checkEid('8904903200000100000001234567890a')).toEqual({ ok: false, reason: 'must be digits only' });
  });
});
