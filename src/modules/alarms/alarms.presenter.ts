import type { z } from 'zod';
import type { AlarmRow } from './alarms.repo.ts';
import type { AlarmView, CustomerAlarmView } from './alarms.schemas.ts';
import { deviceIdOf } from './telemetry-thresholds.ts';

/** `iccids`: the SIM originators' ICCIDs by SIM id (from the SIMs module). */
export function presentAlarm(
  a: AlarmRow,
  iccids: ReadonlyMap<number, string>,
  groups: ReadonlyMap<number, number> = new Map(),
): z.infer<typeof AlarmView> {
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
    parentId: a.parentId,
    groupSize: a.originatorType === 'plmn' || a.originatorType === 'apn' ? (groups.get(a.id) ?? 0) : null,
    details: a.details,
  };
}

type CustomerAlarmJson = z.infer<typeof CustomerAlarmView>;
// Details are free-form JSON each watch wrote (silence-watch.ts, refusal-bursts.ts, usage-drops.ts, usage-drift.ts,
// telemetry-thresholds.ts): a key an older alarm lacks is null, never a failed answer.
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : null);
// A measurement is said as the device reported it (8.5 °C is not 9).
const real = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);

function customerCause(type: CustomerAlarmJson['type'], d: Record<string, unknown>): CustomerAlarmJson['cause'] {
  if (type === 'silence')
    return {
      kind: 'silence',
      lastEventAt: str(d.lastEventAt),
      lastEventType: str(d.lastEventType),
      allowedMinutes: num(d.thresholdMinutes),
      silentMinutes: num(d.silentMinutes),
    };
  if (type === 'usage_drop')
    return {
      kind: 'usage_drop',
      windowFrom: str(d.windowFrom),
      windowTo: str(d.windowTo),
      bytes: num(d.observedBytes),
      usualBytes: num(d.usualBytes),
      dropPercent: num(d.dropPercent),
    };
  if (type === 'usage_drift')
    return {
      kind: 'usage_drift',
      windowFrom: str(d.windowFrom),
      windowTo: str(d.windowTo),
      direction: d.direction === 'up' || d.direction === 'down' ? d.direction : null,
      bytesPerDay: num(d.ewmaBytesPerDay),
      usualBytesPerDay: num(d.meanBytesPerDay),
      changePercent: num(d.changePercent),
    };
  // The condition's facts only: never the rule (ruleId, its name) nor the desk's bookkeeping (clearedBy).
  if (type === 'telemetry_threshold')
    return {
      kind: 'telemetry_threshold',
      metric: str(d.metric),
      value: real(d.value),
      valueAt: str(d.valueAt),
      above: real(d.above),
      below: real(d.below),
      reportsBeyond: num(d.reportsBeyond),
      beyondSince: str(d.beyondSince),
    };
  const lastType = str(d.lastType);
  return {
    kind: 'refusal_burst',
    refusals: num(d.refusals),
    // A streak's refusals are in a row, however far apart: no window to name then.
    windowMinutes: d.condition === 'streak' ? null : num(d.windowMinutes),
    inARow: d.condition === 'streak',
    attempt: lastType === 'attach_rejected' ? 'attach' : lastType === 'session_rejected' ? 'session' : null,
    causeCode: num(d.cause),
    causeLabel: str(d.causeLabel),
    network: str(d.plmn),
    apn: str(d.apn),
    firstAt: str(d.firstAt),
    lastAt: str(d.lastAt),
  };
}

/**
 * A customer's alarm (CustomerAlarmView): each field picked here, so nothing the desk keeps (rule, staff, case claim,
 * reminders) can reach a customer by being added to the row or the staff view. Only rows of CUSTOMER_ALARM_TYPES
 * reach it (the service's reach filters them). `iccids`: the SIM originators' ICCIDs by SIM id; `deviceNames`: the
 * device originators' names by device id (the devices module's, so a renamed device is said by its name of now).
 */
export function presentCustomerAlarm(
  a: AlarmRow,
  iccids: ReadonlyMap<number, string>,
  deviceNames: ReadonlyMap<number, string | null> = new Map(),
): CustomerAlarmJson {
  const type = a.type as CustomerAlarmJson['type'];
  const deviceId = a.originatorType === 'device' ? deviceIdOf(a.originatorId) : null;
  return {
    id: a.id,
    type,
    severity: a.severity as CustomerAlarmJson['severity'],
    status: a.clearedAt ? 'cleared' : 'active',
    acknowledged: a.acknowledgedAt !== null,
    iccid: a.originatorType === 'sim' ? (iccids.get(Number(a.originatorId)) ?? null) : null,
    device: deviceId === null ? null : { id: deviceId, name: deviceNames.get(deviceId) ?? null },
    count: a.count,
    firstSeenAt: a.firstSeenAt.toISOString(),
    lastSeenAt: a.lastSeenAt.toISOString(),
    clearedAt: a.clearedAt?.toISOString() ?? null,
    cause: customerCause(type, a.details),
  };
}
