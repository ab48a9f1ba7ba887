import { describe, expect, it } from 'vitest';
import {
  caseTokenOf,
  decideThread,
  type NamedCase,
  partnerOf,
  type SenderContact,
  subjectTagOf,
  type ThreadFacts,
} from './mail-threading.ts';

/** The rules of mail-threading.ts, one fact at a time. */
const contact = (id: number, accountId: number, accountPath: string): SenderContact => ({
  id,
  accountId,
  tenantId: Number(accountPath.split('/')[1]),
  accountPath,
  name: `c${id}`,
});
const kase = (id: number, accountId: number, accountPath: string): NamedCase => ({
  id,
  number: `C-2026-${String(id).padStart(6, '0')}`,
  accountId,
  accountPath,
});
const none: ThreadFacts = {
  duplicate: false,
  automatic: null,
  senderContacts: [],
  partner: null,
  referenced: null,
  token: null,
  tagged: null,
  rateLimited: false,
  senderUnverified: false,
};
const ann = contact(7, 11, '/10/11/');
const annsCase = kase(100, 11, '/10/11/');
const subCase = kase(101, 12, '/10/11/12/');
const otherCase = kase(200, 21, '/20/21/');

describe('decideThread', () => {
  it('drops a duplicate before anything else', () => {
    expect(decideThread({ ...none, duplicate: true, referenced: annsCase, senderContacts: [ann] })).toEqual({
      kind: 'duplicate',
    });
  });

  it('sends a sender the receiving server judged forged to triage, whatever case or partner it names', () => {
    const forged = { ...none, senderUnverified: true, senderContacts: [ann], referenced: annsCase, tagged: subCase };
    expect(decideThread(forged)).toEqual({
      kind: 'triage',
      reason: 'sender_unverified',
      refused: { caseId: 100, number: annsCase.number, rule: 'reference' },
    });
    const partner = { provider: 'roamco', ticket: 'INC1', case: annsCase };
    expect(decideThread({ ...none, senderUnverified: true, partner })).toMatchObject({
      kind: 'triage',
      reason: 'sender_unverified',
      refused: null,
    });
    expect(decideThread({ ...forged, senderUnverified: false })).toMatchObject({ kind: 'join', caseId: 100 });
  });

  it('joins the case its references, token or subject tag name, in that order, when the sender may write on it', () => {
    const f = { ...none, senderContacts: [ann], referenced: annsCase, token: subCase, tagged: otherCase };
    expect(decideThread(f)).toMatchObject({ kind: 'join', rule: 'reference', caseId: 100, contactId: 7 });
    expect(decideThread({ ...f, referenced: null })).toMatchObject({ kind: 'join', rule: 'token', caseId: 101 });
    expect(decideThread({ ...none, senderContacts: [ann], tagged: annsCase })).toMatchObject({
      rule: 'subject_tag',
    });
  });

  it("never joins another account's case: a known sender gets a case of its own, linked; an unknown one triage", () => {
    const bob = contact(8, 21, '/20/21/');
    expect(decideThread({ ...none, senderContacts: [bob], tagged: annsCase })).toEqual({
      kind: 'open',
      accountId: 21,
      tenantId: 20,
      contactId: 8,
      refused: { caseId: 100, number: 'C-2026-000100', rule: 'subject_tag' },
    });
    // A contact of the sub-account may not write on its parent's case (the parent's people may on the child's).
    const sub = contact(9, 12, '/10/11/12/');
    expect(decideThread({ ...none, senderContacts: [sub], referenced: annsCase })).toMatchObject({ kind: 'open' });
    expect(decideThread({ ...none, senderContacts: [ann], referenced: subCase })).toMatchObject({ kind: 'join' });
    expect(decideThread({ ...none, token: annsCase })).toEqual({
      kind: 'triage',
      reason: 'unknown_sender',
      refused: { caseId: 100, number: 'C-2026-000100', rule: 'token' },
    });
  });

  it('lets a later rule join when an earlier one named a case the sender may not write on', () => {
    expect(decideThread({ ...none, senderContacts: [ann], referenced: otherCase, tagged: annsCase })).toMatchObject({
      kind: 'join',
      rule: 'subject_tag',
      caseId: 100,
    });
  });

  it('opens a case for a new mail of a known sender; triage when the address is unknown or of several accounts', () => {
    expect(decideThread({ ...none, senderContacts: [ann] })).toMatchObject({ kind: 'open', accountId: 11 });
    // A contact of two accounts: the desk does not guess whose the new case is.
    const twice = [ann, contact(9, 21, '/20/21/')];
    expect(decideThread({ ...none, senderContacts: twice })).toMatchObject({ reason: 'ambiguous_sender' });
    expect(decideThread(none)).toMatchObject({ kind: 'triage', reason: 'unknown_sender', refused: null });
  });

  it('records robots on their case as internal entries and never opens a case for one', () => {
    expect(decideThread({ ...none, automatic: 'auto-reply', senderContacts: [ann], referenced: annsCase })).toEqual({
      kind: 'join',
      rule: 'reference',
      caseId: 100,
      contactId: 7,
      internal: true,
    });
    // A mailer daemon's bounce quoting our Message-ID: staff-only on the case, though the daemon is nobody's contact.
    expect(decideThread({ ...none, automatic: 'bounce', referenced: annsCase })).toEqual({
      kind: 'join',
      rule: 'reference',
      caseId: 100,
      contactId: null,
      internal: true,
    });
    expect(decideThread({ ...none, automatic: 'bounce', tagged: annsCase })).toMatchObject({ kind: 'triage' });
    expect(decideThread({ ...none, automatic: 'bounce', senderContacts: [ann] })).toMatchObject({
      kind: 'triage',
      reason: 'automatic',
    });
  });

  it('sends partner mail to the case holding its ticket, and a sender past the hourly limit to triage', () => {
    const partner = { provider: 'Telia', ticket: 'INC0042', case: otherCase };
    expect(decideThread({ ...none, partner })).toEqual({
      kind: 'join',
      rule: 'partner_ticket',
      caseId: 200,
      contactId: null,
      internal: true,
    });
    expect(decideThread({ ...none, partner: { ...partner, case: null } })).toMatchObject({
      reason: 'partner_ticket_unknown',
    });
    expect(decideThread({ ...none, rateLimited: true, senderContacts: [ann], referenced: annsCase })).toMatchObject({
      kind: 'triage',
      reason: 'rate_limited',
    });
  });
});

describe('tokens, tags and partners', () => {
  it('reads the subject tag, the plus-address and the body token', () => {
    expect(subjectTagOf('AW: RE: [C-2026-000123] Meter silent')).toBe('C-2026-000123');
    expect(subjectTagOf('C-2026-000123 without brackets')).toBeNull();
    expect(caseTokenOf(['support+c-2026-000042@desk.test'], null)).toBe('C-2026-000042');
    expect(caseTokenOf(['support@desk.test'], '> thanks\n> [ref:C-2026-000007]')).toBe('C-2026-000007');
    expect(caseTokenOf(['support@desk.test'], 'see C-2026-000007')).toBeNull();
  });

  it("matches a partner by the sender's domain (and its subdomains) and its ticket pattern", () => {
    const patterns = [{ provider: 'Telia', domains: ['telia.example'], ticket: /INC\d{4,}/ }];
    expect(partnerOf(patterns, 'noc@tickets.telia.example', 'Update INC0042: restored', null)).toEqual({
      provider: 'Telia',
      ticket: 'INC0042',
    });
    expect(partnerOf(patterns, 'noc@telia.example', 'Update', 'Ticket INC7777 closed')?.ticket).toBe('INC7777');
    expect(partnerOf(patterns, 'noc@nottelia.example', 'INC0042', null)).toBeNull();
    expect(partnerOf(patterns, null, 'INC0042', null)).toBeNull();
  });
});
