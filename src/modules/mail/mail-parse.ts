/**
 * An inbound message read for the desk: sender, subject, ids for threading, the text, and whether a robot sent
 * it. Never throws: malformed MIME, nesting past the limit or headers too large give what could be read and a
 * warning, and the raw message stays stored whatever this says (issue 15, "Bad input").
 */
import PostalMime, { type Email, type Header } from 'postal-mime';
import sanitizeHtml from 'sanitize-html';

/** A zip bomb of nested multiparts stops here; real mail nests a handful of levels. */
const MAX_NESTING = 32;
const MAX_HEADERS_BYTES = 256 * 1024;
/** The text kept for the desk; the whole message is in `raw`. */
const MAX_TEXT_CHARS = 200_000;

export type ParsedMail = {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  fromAddress: string | null;
  fromName: string | null;
  /** To, Cc and the delivery headers (Delivered-To, X-Original-To): where a plus-address token shows. Lower case. */
  recipients: string[];
  subject: string | null;
  textBody: string | null;
  /** The HTML part made safe to show (sanitizeMailHtml); null when the mail had none. */
  htmlBody: string | null;
  attachmentCount: number;
  /** Why it is not to be answered: 'auto-reply', 'bounce' or 'bulk'; null for a person's mail. */
  automatic: string | null;
  /** A delivery report's recipients that failed for good (Action: failed, Status 5.x.x): hard bounces. */
  bouncedRecipients: string[];
  /** The receiving server's verdict that the From address is forged (senderAuthFailure); null: none, or it passed. */
  senderAuth: string | null;
  parseWarning: string | null;
};

/** Text PostgreSQL stores: no NUL, no lone surrogate, bounded. */
const storable = (s: string | undefined, max = 2000): string | null => {
  if (s === undefined) return null;
  const clean = s.replaceAll('\u0000', '').toWellFormed();
  return clean.length > max ? clean.slice(0, max) : clean;
};
const ids = (s: string | undefined): string[] => (s?.match(/<[^<>\s]+>/g) ?? []).slice(0, 100);

/** RFC 3834 Auto-Submitted and the de-facto markers of auto-responders, bounces and list mail. */
export function automaticKind(headers: readonly Header[], envelopeFrom: string): string | null {
  const h = (key: string) =>
    headers
      .find((x) => x.key === key)
      ?.value.trim()
      .toLowerCase();
  const contentType = h('content-type') ?? '';
  if (envelopeFrom === '' || (contentType.includes('multipart/report') && contentType.includes('delivery-status')))
    return 'bounce';
  const auto = h('auto-submitted');
  if ((auto !== undefined && auto !== 'no') || h('x-autoreply') !== undefined || h('x-autorespond') !== undefined)
    return 'auto-reply';
  const precedence = h('precedence');
  if (precedence === 'bulk' || precedence === 'list' || precedence === 'junk' || h('list-id') !== undefined)
    return 'bulk';
  return null;
}

/**
 * A mail's HTML as the console may show it: formatting, tables and links only. No script, style, form, frame or
 * event handler; no image at all (a remote one is a tracking pixel, and inline ones are among the entry's
 * attachments); links open outside the desk without its referrer. The console still shows it in a sandboxed frame.
 */
export function sanitizeMailHtml(html: string): string {
  return sanitizeHtml(html.slice(0, 2_000_000), {
    allowedTags: [
      'p',
      'br',
      'div',
      'span',
      'b',
      'i',
      'u',
      's',
      'strong',
      'em',
      'small',
      'sub',
      'sup',
      'blockquote',
      'pre',
      'code',
      'ul',
      'ol',
      'li',
      'dl',
      'dt',
      'dd',
      'h1',
      'h2',
      'h3',
      'h4',
      'h5',
      'h6',
      'hr',
      'table',
      'thead',
      'tbody',
      'tfoot',
      'tr',
      'td',
      'th',
      'caption',
      'a',
    ],
    allowedAttributes: {
      a: ['href', 'title', 'rel', 'target'],
      td: ['colspan', 'rowspan'],
      th: ['colspan', 'rowspan'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowProtocolRelative: false,
    transformTags: {
      a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }),
    },
    disallowedTagsMode: 'discard',
  });
}

/** Every recipient address the message names, deduplicated, bounded (a mail to 10,000 people is not a reply). */
function recipientsOf(email: Email): string[] {
  const out = new Set<string>();
  const add = (a: string | undefined) => {
    const v = a?.trim().toLowerCase();
    if (v && v.length <= 320 && out.size < 100) out.add(v.replaceAll('\u0000', ''));
  };
  for (const list of [email.to, email.cc, email.deliveredTo ? [{ address: email.deliveredTo, name: '' }] : []]) {
    for (const a of list ?? []) {
      if ('group' in a && a.group) for (const g of a.group) add(g.address);
      else if ('address' in a) add(a.address);
    }
  }
  for (const h of email.headers) if (h.key === 'x-original-to' || h.key === 'delivered-to') add(h.value);
  return [...out];
}

/**
 * The hard-bounced recipients of a delivery status notification (RFC 3464): per-recipient blocks of its
 * message/delivery-status part with `Action: failed` and a permanent `Status: 5.x.x`. A delayed or transient
 * report (4.x.x) flags nobody.
 */
export function hardBouncesOf(email: Pick<Email, 'attachments'>): string[] {
  const out = new Set<string>();
  for (const a of email.attachments) {
    if (a.mimeType.toLowerCase() !== 'message/delivery-status') continue;
    const text = typeof a.content === 'string' ? a.content : new TextDecoder().decode(a.content);
    for (const block of text.slice(0, 100_000).split(/\r?\n\s*\r?\n/)) {
      const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'im').exec(block)?.[1]?.trim();
      const recipient = field('Final-Recipient')
        ?.replace(/^rfc822\s*;\s*/i, '')
        .replace(/^<|>$/g, '');
      if (recipient && /^failed$/i.test(field('Action') ?? '') && /^5\./.test(field('Status') ?? '')) {
        if (recipient.includes('@') && recipient.length <= 320) out.add(recipient.toLowerCase());
      }
    }
  }
  return [...out].slice(0, 100);
}

/** The Message-ID of the original a delivery report returns (its text/rfc822-headers or message/rfc822 part). */
function returnedMessageIds(email: Pick<Email, 'attachments'>): string[] {
  const out: string[] = [];
  for (const a of email.attachments) {
    const type = a.mimeType.toLowerCase();
    if (type !== 'text/rfc822-headers' && type !== 'message/rfc822') continue;
    const text = typeof a.content === 'string' ? a.content : new TextDecoder().decode(a.content.slice(0, 64 * 1024));
    const id = /^message-id:\s*(<[^<>\s]+>)/im.exec(text)?.[1];
    if (id) out.push(id);
  }
  return out;
}

/**
 * The verdict of the server that received the mail from the internet (RFC 8601 Authentication-Results) when it
 * says the From address is forged: `dmarc=fail`, or without a DMARC result `spf=fail` with no DKIM pass. Only the
 * topmost header counts — the one our own MX added last; those below come from hops the sender controls. A sender
 * writing a failing header of its own only sends its mail to triage, so the header needs no further trust.
 */
export function senderAuthFailure(headers: readonly Header[]): string | null {
  const top = headers.find((x) => x.key === 'authentication-results')?.value.toLowerCase();
  if (!top) return null;
  const result = (method: string) => new RegExp(`(?:^|[;\\s])${method}\\s*=\\s*([a-z]+)`).exec(top)?.[1];
  const dmarc = result('dmarc');
  if (dmarc === 'fail') return 'dmarc=fail';
  if (dmarc === undefined && result('spf') === 'fail' && result('dkim') !== 'pass') return 'spf=fail';
  return null;
}

export async function parseMail(raw: Buffer, envelopeFrom: string): Promise<ParsedMail> {
  let email: Email;
  let warning: string | null = null;
  try {
    email = await PostalMime.parse(raw, { maxNestingDepth: MAX_NESTING, maxHeadersSize: MAX_HEADERS_BYTES });
  } catch (e) {
    warning = `not parsed: ${(e as Error).message}`.slice(0, 500);
    email = { headers: [], headerLines: [], attachments: [] };
  }
  const from = email.from && 'address' in email.from && email.from.address ? email.from : undefined;
  if (!warning && !from) warning = 'no usable From address';
  if (!warning && !email.messageId) warning = 'no Message-ID';
  const text = email.text ?? (email.html ? email.html.replace(/<[^>]*>/g, ' ') : undefined);
  return {
    messageId: storable(email.messageId?.trim(), 998),
    inReplyTo: storable(ids(email.inReplyTo)[0], 998),
    // A bounce names the mail it returns in its attached headers: that Message-ID threads it to its case.
    references: [...ids(email.references), ...returnedMessageIds(email)].slice(0, 100).map((r) => storable(r, 998)!),
    fromAddress: storable(from?.address?.toLowerCase(), 320),
    fromName: storable(from?.name, 200),
    recipients: recipientsOf(email),
    subject: storable(email.subject, 998),
    textBody: storable(text, MAX_TEXT_CHARS),
    htmlBody: email.html ? storable(sanitizeMailHtml(email.html), MAX_TEXT_CHARS * 2) : null,
    attachmentCount: email.attachments.length,
    automatic: automaticKind(email.headers, envelopeFrom),
    bouncedRecipients: hardBouncesOf(email),
    senderAuth: senderAuthFailure(email.headers),
    parseWarning: warning,
  };
}

/** A file a mail carried, as the desk keeps it on the case. */
export type MailAttachment = { filename: string; contentType: string; content: Buffer };

// Control characters (C0, DEL, C1) and quotes go; a name with them is not what the upload API would take either.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f"]/g;

/** A name safe to offer as a download: no path, no control characters, bounded. */
function safeFilename(name: string | null, i: number, type: string): string {
  const base = (name ?? '')
    .replace(/^.*[\\/]/, '')
    .replace(UNSAFE_CHARS, '')
    .trim()
    .toWellFormed();
  if (base !== '') return base.slice(0, 200);
  const ext = /^image\/(png|jpe?g|gif)$/.exec(type)?.[1] ?? 'bin';
  return `attachment-${i + 1}.${ext === 'jpeg' ? 'jpg' : ext}`;
}

/**
 * The files of a stored mail, inline images included, read again from its raw bytes (only threading needs them,
 * once). A message that does not parse has none.
 */
export async function attachmentsOf(raw: Buffer): Promise<MailAttachment[]> {
  let email: Email;
  try {
    email = await PostalMime.parse(raw, {
      maxNestingDepth: MAX_NESTING,
      maxHeadersSize: MAX_HEADERS_BYTES,
      attachmentEncoding: 'arraybuffer',
    });
  } catch {
    return [];
  }
  return email.attachments.slice(0, 100).map((a, i) => {
    const type = /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/i.test(a.mimeType)
      ? a.mimeType.toLowerCase()
      : 'application/octet-stream';
    const content =
      typeof a.content === 'string' ? Buffer.from(a.content, 'utf8') : Buffer.from(a.content as ArrayBuffer);
    return { filename: safeFilename(a.filename, i, type), contentType: type, content };
  });
}
