import type { z } from 'zod';
import type { Principal } from '../../platform/auth.ts';
import type { TokenRow, UserRow } from './users.repo.ts';
import type { AgentView, MeView, TokenView, UserView } from './users.schemas.ts';

export function presentUser(u: UserRow): z.infer<typeof UserView> {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role as z.infer<typeof UserView>['role'],
    accountId: u.accountId,
    tenantId: u.tenantId,
    language: u.language,
    disabled: u.disabled,
    createdAt: u.createdAt.toISOString(),
  };
}

export function presentAgent(u: UserRow): z.infer<typeof AgentView> {
  return { id: u.id, name: u.name, email: u.email, role: u.role as z.infer<typeof AgentView>['role'] };
}

export function presentMe(u: UserRow, p: Principal): z.infer<typeof MeView> {
  return { ...presentUser(u), scopes: [...p.scopes], via: p.via };
}

export function presentToken(t: TokenRow): z.infer<typeof TokenView> {
  return {
    id: t.id,
    name: t.name,
    scopes: t.scopes as z.infer<typeof TokenView>['scopes'],
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    expiresAt: t.expiresAt?.toISOString() ?? null,
  };
}
