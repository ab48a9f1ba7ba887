import type { z } from 'zod';
import type { LoginEventRow } from './login.repo.ts';
import type { AdminUserView, LoginEventView } from './login.schemas.ts';
import type { LockState } from './login.service.ts';
import { presentUser } from './users.presenter.ts';
import type { UserRow } from './users.repo.ts';

export function presentAdminUser(u: UserRow, lock: LockState | undefined): z.infer<typeof AdminUserView> {
  return {
    ...presentUser(u),
    failedLogins: lock?.failedLogins ?? 0,
    lockedUntil: lock?.lockedUntil?.toISOString() ?? null,
  };
}

export function presentLoginEvent(e: LoginEventRow): z.infer<typeof LoginEventView> {
  return {
    id: e.id,
    at: e.at.toISOString(),
    userId: e.userId,
    email: e.email,
    address: e.address,
    userAgent: e.userAgent,
    outcome: e.outcome as z.infer<typeof LoginEventView>['outcome'],
    reason: e.reason,
    byUserId: e.byUserId,
  };
}
