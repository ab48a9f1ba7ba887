import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMail, senderAuthFailure } from './mail-parse.ts';

const mail = (headers: string, body = 'Hello') =>
  Buffer.from(`${headers.trim().replaceAll('\n', '\r\n')}\r\n\r\n${body}`);

describe('parseMail', () => {
  it('reads an Outlook reply: sender, subject with its tag, In-Reply-To and References', async () => {
    const p = await parseMail(
      mail(`
From: "Müller, Jana" <Jana.Mueller@Stadtwerke.example>
To: support@desk.test
Subject: =?utf-8?Q?AW:_[C-2026-000123]_Z=C3=A4hler_senden_nicht?=
Message-ID: <AM0PR01MB1234@eurprd01.prod.outlook.com>
In-Reply-To: <c-2026-000123.1@desk.test>
References: <c-2026-000123.0@desk.test> <c-2026-000123.1@desk.test>
Thread-Index: AQHZ
Content-Type: text/plain; charset=utf-8
`),
      'jana.mueller@stadtwerke.example',
    );
    expect(p).toMatchObject({
      fromAddress: 'jana.mueller@stadtwerke.example',
      fromName: 'Müller, Jana',
      subject: 'AW: [C-2026-000123] Zähler senden nicht',
      messageId: '<AM0PR01MB1234@eurprd01.prod.outlook.com>',
      inReplyTo: '<c-2026-000123.1@desk.test>',
      references: ['<c-2026-000123.0@desk.test>', '<c-2026-000123.1@desk.test>'],
      automatic: null,
      parseWarning: null,
    });
  });

  it('tells auto-replies, bounces and list mail from a person’s', async () => {
    const base = 'From: a@b.example\nTo: support@desk.test\nMessage-ID: <x@b.example>\nSubject: x';
    expect((await parseMail(mail(`${base}\nAuto-Submitted: auto-replied`), 'a@b.example')).automatic).toBe(
      'auto-reply',
    );
    expect((await parseMail(mail(`${base}\nAuto-Submitted: no`), 'a@b.example')).automatic).toBeNull();
    expect((await parseMail(mail(`${base}\nX-Autoreply: yes`), 'a@b.example')).automatic).toBe('auto-reply');
    expect((await parseMail(mail(`${base}\nPrecedence: bulk`), 'a@b.example')).automatic).toBe('bulk');
    expect((await parseMail(mail(base), '')).automatic).toBe('bounce'); // the null reverse-path
  });

  it("reads the receiving server's verdict on a forged From: only the topmost Authentication-Results counts", () => {
    const ar = (...values: string[]) =>
      values.map((value) => ({ key: 'authentication-results', originalKey: 'Authentication-Results', value }));
    expect(senderAuthFailure(ar('mx.desk.test; spf=pass smtp.mailfrom=a.example; dkim=pass; dmarc=pass'))).toBeNull();
    expect(senderAuthFailure(ar('mx.desk.test; spf=fail; dkim=pass header.d=a.example; dmarc=fail'))).toBe(
      'dmarc=fail',
    );
    // No DMARC verdict: SPF failed and no signature passed.
    expect(senderAuthFailure(ar('mx.desk.test; spf=fail smtp.mailfrom=a.example; dkim=none'))).toBe('spf=fail');
    expect(senderAuthFailure(ar('mx.desk.test; spf=fail; dkim=pass header.d=a.example'))).toBeNull();
    // A lower header came from a hop before ours (a forwarder, or the sender itself): ignored.
    expect(senderAuthFailure(ar('mx.desk.test; dmarc=pass', 'evil.example; dmarc=fail'))).toBeNull();
    expect(senderAuthFailure([])).toBeNull();
  });

  it('keeps what it can of bad input, with a warning, never throwing', async () => {
    const noId = await parseMail(mail('From: a@b.example\nSubject: no id'), 'a@b.example');
    expect(noId).toMatchObject({ messageId: null, parseWarning: 'no Message-ID' });
    const noFrom = await parseMail(mail('Subject: anonymous\nMessage-ID: <y@b>'), 'x@b.example');
    expect(noFrom.parseWarning).toBe('no usable From address');
    const nul = await parseMail(mail('From: a@b.example\nMessage-ID: <n@b>', 'a\u0000b'), 'a@b.example');
    expect(nul.textBody?.trim()).toBe('ab');
    // Multiparts nested far past any real mail: refused at the nesting limit, kept raw.
    let body = 'leaf';
    for (let i = 59; i >= 0; i--)
      body = `--b${i}\r\nContent-Type: multipart/mixed; boundary="b${i + 1}"\r\n\r\n${body}\r\n--b${i}--`;
    const bomb = await parseMail(
      mail('From: a@b.example\nMessage-ID: <z@b>\nContent-Type: multipart/mixed; boundary="b0"', body),
      'a@b.example',
    );
    expect(bomb.parseWarning).toMatch(/^not parsed/);
    // Raw 8-bit (Latin-1) bytes in a header: read as they come, stored as well-formed text.
    const latin = Buffer.concat([
      Buffer.from('From: a@b.example\r\nMessage-ID: <l@b>\r\nSubject: Z'),
      Buffer.from([0xe4]),
      Buffer.from('hler\r\n\r\nx'),
    ]);
    expect((await parseMail(latin, 'a@b.example')).subject).toMatch(/^Z.hler$/u);
  });

  it.each([
    ['dsn-postfix.eml', 'gone@customer.example', '<C-2026-000001.abc@desk.test>'],
    ['dsn-rfc822.eml', 'bad@x.example', '<C-2026-000002.def@desk.test>'],
  ])(
    'reads a delivery report (%s): its hard-bounced recipient, and the returned mail as a reference',
    async (file, to, id) => {
      const raw = readFileSync(new URL(`../../../test/fixtures/mail/${file}`, import.meta.url), 'utf8');
      const p = await parseMail(Buffer.from(raw.replaceAll('\n', '\r\n')), '');
      expect(p.automatic).toBe('bounce');
      // The delayed recipient (4.4.1) is not a hard bounce.
      expect(p.bouncedRecipients).toEqual([to]);
      expect(p.references).toContain(id);
    },
  );

  it('keeps HTML only sanitized: no script, handler, style, form, frame or image; links leave without referrer', async () => {
    const html = [
      '<p onclick="steal()">Hi <b>team</b><script>alert(1)</script></p>',
      '<img src="https://tracker.example/p.gif"><img src="cid:shot1">',
      '<a href="javascript:alert(1)">x</a><a href="https://status.example/">status</a>',
      '<style>body{display:none}</style><iframe src="https://evil.example"></iframe><form><input></form>',
      '<table><tr><td colspan="2" style="color:red">cell</td></tr></table>',
    ].join('');
    const p = await parseMail(
      mail(
        `
From: a@customer.example
To: support@desk.test
Subject: html
Message-ID: <html-1@customer.example>
Content-Type: text/html; charset=utf-8
`,
        html,
      ),
      'a@customer.example',
    );
    expect(p.htmlBody?.trim()).toBe(
      '<p>Hi <b>team</b></p><a rel="noopener noreferrer nofollow" target="_blank">x</a><a href="https://status.example/" rel="noopener noreferrer nofollow" target="_blank">status</a><table><tr><td colspan="2">cell</td></tr></table>',
    );
  });
});
