/**
 * Who reads a SIM view (docs/SECURITY.md, "What a customer sees"). Staff see everything. A customer sees their SIMs
 * but not how the desk works them, like the case timeline (cases.presenter.ts, STAFF_AUTHOR_FOR_CUSTOMERS): a change
 * they did not make shows as 'Service desk' with no user id, without its free-text reason, and the provider's
 * import metadata (import job id, source, file name) is left out. The service puts the viewer on what it returns,
 * so every presenter of those rows (the SIM API's, a case's affected SIMs) hides the same fields.
 *
 * Past rows keep the actor's user id and e-mail, not whether they were staff, so who a customer may see named is
 * asked of the users module per page (users.colleaguesAmong): their own changes and those of their colleagues (users
 * of their customer at their account or below). Everyone else, staff above all, shows as the desk.
 */
import { isStaff, type Principal } from '../../platform/auth.ts';

export type Viewer = {
  readonly staff: boolean;
  readonly userId: number;
  /** Other users a customer viewer may see named (empty for staff, who see everyone). */
  readonly colleagues: ReadonlySet<number>;
};
const NOBODY: ReadonlySet<number> = new Set();
export const viewerOf = (p: Principal, colleagues: ReadonlySet<number> = NOBODY): Viewer => ({
  staff: isStaff(p),
  userId: p.userId,
  colleagues,
});

/** Which users a customer may see named: the users module's answer (users.colleaguesAmong). */
export type ColleaguesOf = (p: Principal, userIds: readonly (number | null)[]) => Promise<ReadonlySet<number>>;

/** What a customer sees as the actor of a change they did not make: the case timeline's label for staff. */
export const STAFF_ACTOR_FOR_CUSTOMERS = 'Service desk';

/** May the viewer see who did it and why? Staff always; a customer for their own and their colleagues' doing. */
export const seesActor = (v: Viewer, actorUserId: number | null): boolean =>
  v.staff || (actorUserId !== null && actorUserId > 0 && (actorUserId === v.userId || v.colleagues.has(actorUserId)));
