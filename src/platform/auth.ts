/**
 * Who is calling, and what they may reach. Built by platform/http/auth-plugin.ts from a session cookie or
 * a Bearer token; consumed by services, which pass `scopeOf(principal)` to every repository call.
 */
export const ROLES = ['admin', 'agent', 'customer'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = ['read', 'write', 'ingest', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Scopes a web session gets from its role (tokens carry their own, never more than the role allows). */
export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  admin: ['read', 'write', 'ingest', 'admin'],
  agent: ['read', 'write', 'ingest'],
  customer: ['read', 'write'],
};

export type Principal = {
  userId: number;
  email: string;
  role: Role;
  scopes: ReadonlySet<Scope>;
  /** For customers: their root account and the path of their own account ('/1/5/'). Null for staff. */
  tenantId: number | null;
  accountId: number | null;
  accountPath: string | null;
  via: 'session' | 'token' | 'cli';
  /** Set when the Bearer was an ingest credential (producers): which one, for the ingest-errors view. */
  ingestCredentialId?: number;
};

/**
 * The row filter every repository applies. Staff see every tenant; a customer sees its tenant, and within
 * it only its own account's subtree.
 */
export type TenantScope = { kind: 'operator' } | { kind: 'customer'; tenantId: number; accountPath: string };

export function scopeOf(p: Principal): TenantScope {
  if (p.role !== 'customer') return { kind: 'operator' };
  if (p.tenantId === null || p.accountPath === null) {
    // A customer without an account must see nothing, never everything.
    return { kind: 'customer', tenantId: -1, accountPath: '/-1/' };
  }
  return { kind: 'customer', tenantId: p.tenantId, accountPath: p.accountPath };
}

export const isStaff = (p: Principal) => p.role !== 'customer';

/** The principal the CLI acts as (it runs on the server with direct DB access, like `psql`). */
export const cliPrincipal = (label = 'cli'): Principal => ({
  userId: 0,
  email: label,
  role: 'admin',
  scopes: new Set(SCOPES),
  tenantId: null,
  accountId: null,
  accountPath: null,
  via: 'cli',
});
