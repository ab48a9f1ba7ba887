import type { z } from 'zod';
import type { ContactRow } from '../accounts/accounts.service.ts';
import type { AttachmentView } from './attachments.schemas.ts';
import type { AttachmentMeta, TimelineEntry } from './attachments.service.ts';
import type { ProviderRefRow } from './case-parties.repo.ts';
import type { CaseContactView, CaseDetailView, ProviderRefView } from './case-parties.schemas.ts';
import type { CaseDetail } from './case-parties.ts';
import { type Audience, presentCase, presentCaseEvent } from './cases.presenter.ts';

/** Views of what hangs on a case: its contacts, provider references, and the files on its timeline. */
export const presentContact = (c: ContactRow): z.infer<typeof CaseContactView> => ({
  id: c.id,
  accountId: c.accountId,
  name: c.name,
  email: c.email,
  phone: c.phone,
  roles: c.roles,
  language: c.language as z.infer<typeof CaseContactView>['language'],
  emailBouncedAt: c.emailBouncedAt?.toISOString() ?? null,
});

export const presentProviderRef = (r: ProviderRefRow): z.infer<typeof ProviderRefView> => ({
  id: r.id,
  provider: r.provider,
  ticket: r.ticket,
  note: r.note,
  createdBy: r.createdBy,
  createdAt: r.createdAt.toISOString(),
});

export const presentCaseDetail = (d: CaseDetail, audience: Audience): z.infer<typeof CaseDetailView> => ({
  ...presentCase(d.case, audience),
  contacts: d.contacts.map(presentContact),
  ...(d.providerRefs ? { providerRefs: d.providerRefs.map(presentProviderRef) } : {}),
});

export const presentAttachment = (a: AttachmentMeta): z.infer<typeof AttachmentView> => ({
  id: a.id,
  eventId: a.eventId,
  filename: a.filename,
  contentType: a.contentType,
  size: a.size,
  sha256: a.sha256,
  createdBy: a.createdBy,
  createdAt: a.createdAt.toISOString(),
});

export const presentTimelineEntry = (e: TimelineEntry, audience: Audience) => ({
  ...presentCaseEvent(e, audience),
  // Which user uploaded a file is the desk's business (a staff user id); a customer sees the entry's author.
  attachments: e.attachments.map((a) => ({
    ...presentAttachment(a),
    ...(audience === 'customer' ? { createdBy: null } : {}),
  })),
});

/**
 * `Content-Disposition` for a stored filename: an ASCII fallback in a quoted string (non-ASCII → _, quote
 * and backslash escaped) plus the exact name as RFC 5987 `filename*`, which every current browser prefers.
 */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '\\$&');
  const exact = encodeURIComponent(filename).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${exact}`;
}
