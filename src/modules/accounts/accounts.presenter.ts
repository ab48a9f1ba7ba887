import type { z } from 'zod';
import type { AccountRow, ContactRow } from './accounts.repo.ts';
import type { AccountView, ContactView } from './accounts.schemas.ts';

export function presentAccount(a: AccountRow): z.infer<typeof AccountView> {
  return {
    id: a.id,
    tenantId: a.tenantId,
    parentId: a.parentId,
    depth: a.depth,
    number: a.number,
    name: a.name,
    kind: a.kind as z.infer<typeof AccountView>['kind'],
    vipTier: a.vipTier as z.infer<typeof AccountView>['vipTier'],
    language: a.language as z.infer<typeof AccountView>['language'],
    timeZone: a.timeZone,
    country: a.country,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export function presentContact(c: ContactRow): z.infer<typeof ContactView> {
  return {
    id: c.id,
    accountId: c.accountId,
    name: c.name,
    email: c.email,
    phone: c.phone,
    language: c.language as z.infer<typeof ContactView>['language'],
    roles: c.roles as z.infer<typeof ContactView>['roles'],
    emailBouncedAt: c.emailBouncedAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
  };
}
