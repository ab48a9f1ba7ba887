import type { z } from 'zod';
import type { CalendarDefinition } from './calendar.ts';
import type { SlaCalendarRow, SlaPolicyRow } from './sla.repo.ts';
import type { CalendarView, CaseSlaView, PolicyView, SlaMetricView } from './sla.schemas.ts';

export function presentCalendar(r: SlaCalendarRow): z.infer<typeof CalendarView> {
  // Stored definitions were validated by calendar.ts before every write.
  const def = r.definition as unknown as CalendarDefinition;
  return {
    id: r.id,
    key: r.key,
    name: r.name,
    builtIn: r.builtIn,
    timeZone: def.timeZone,
    weeklyHours: def.weeklyHours,
    holidays: def.holidays ?? null,
    closedDates: def.closedDates,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export function presentPolicy(r: SlaPolicyRow): z.infer<typeof PolicyView> {
  return {
    id: r.id,
    key: r.key,
    name: r.name,
    builtIn: r.builtIn,
    match: { caseTypes: r.caseTypes, priorities: r.priorities, vipTiers: r.vipTiers, accountIds: r.accountIds },
    calendarId: r.calendarId,
    targets: {
      firstResponseMinutes: r.firstResponseMin,
      periodicUpdateMinutes: r.updateIntervalMin,
      resolutionMinutes: r.resolutionMin,
    },
    pauseStates: r.pauseStates,
    verificationWorkingDays: r.verificationWorkingDays,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export function presentCaseSla(s: {
  case: { number: string; state: string };
  at: Date;
  policy: { row: SlaPolicyRow; calendar: SlaCalendarRow } | null;
  metrics: SlaMetricView[];
}): z.infer<typeof CaseSlaView> {
  return {
    caseNumber: s.case.number,
    state: s.case.state,
    computedAt: s.at.toISOString(),
    policy: s.policy
      ? {
          id: s.policy.row.id,
          name: s.policy.row.name,
          calendarId: s.policy.calendar.id,
          calendarName: s.policy.calendar.name,
          // The stored definition was validated on write (calendar.ts); UTC is the definition's own default.
          calendarTimeZone: String(s.policy.calendar.definition.timeZone ?? 'UTC'),
        }
      : null,
    metrics: s.metrics,
  };
}
