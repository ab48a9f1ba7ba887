import type { z } from 'zod';
import type { AlarmRow } from './alarms.repo.ts';
import type { AlarmView } from './alarms.schemas.ts';

/** `iccids`: the SIM originators' ICCIDs by SIM id (from the SIMs module). */
export function presentAlarm(a: AlarmRow, iccids: ReadonlyMap<number, string>): z.infer<typeof AlarmView> {
  return {
    id: a.id,
    type: a.type as z.infer<typeof AlarmView>['type'],
    severity: a.severity as z.infer<typeof AlarmView>['severity'],
    status: a.clearedAt ? 'cleared' : 'active',
    acknowledged: a.acknowledgedAt !== null,
    originator: {
      type: a.originatorType as z.infer<typeof AlarmView>['originator']['type'],
      id: a.originatorId,
      iccid: a.originatorType === 'sim' ? (iccids.get(Number(a.originatorId)) ?? null) : null,
    },
    accountId: a.accountId,
    count: a.count,
    firstSeenAt: a.firstSeenAt.toISOString(),
    lastSeenAt: a.lastSeenAt.toISOString(),
    clearedAt: a.clearedAt?.toISOString() ?? null,
    clearedBy: a.clearedAt === null ? null : a.clearedBy === null ? 'condition' : 'user',
    acknowledgedAt: a.acknowledgedAt?.toISOString() ?? null,
    ruleId: a.ruleId,
    details: a.details,
  };
}
