/** Query keys from one place, so a mutation invalidates exactly what it touched. */
export const keys = {
  me: ['me'] as const,
  cases: {
    all: ['cases'] as const,
    queue: (params: Record<string, unknown>) => ['cases', 'queue', params] as const,
    one: (number: string) => ['cases', 'one', number] as const,
    events: (number: string) => ['cases', 'one', number, 'events'] as const,
    sla: (number: string) => ['cases', 'one', number, 'sla'] as const,
  },
  sims: {
    all: ['sims'] as const,
    list: (params: Record<string, unknown>) => ['sims', 'list', params] as const,
    one: (iccid: string) => ['sims', 'one', iccid] as const,
    events: (iccid: string, types: string) => ['sims', 'one', iccid, 'events', types] as const,
  },
  accounts: { list: ['accounts'] as const },
  /** The portal's alarm lists (the console's alarm screens keep their own ['alarms', …] keys, same prefix). */
  alarms: {
    all: ['alarms'] as const,
    portal: (params: Record<string, unknown>) => ['alarms', 'portal', params] as const,
  },
  mail: {
    all: ['mail'] as const,
    /** A page of triage (null: the first, which the nav's count shares). */
    triage: (cursor: string | null) => ['mail', 'triage', cursor] as const,
    one: (id: number) => ['mail', 'messages', id] as const,
    outbox: (params: Record<string, unknown>) => ['mail', 'outbox', params] as const,
    templates: ['mail', 'templates'] as const,
  },
};
