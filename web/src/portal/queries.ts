import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { keys } from '../api/keys.ts';

/**
 * The portal's data: the same API as the console, scoped by the server to the customer's account subtree. The
 * portal keeps its own hooks so its screens ask only for what a customer sees (no staff-only read is ever made).
 */
export const PORTAL_PAGE = 50;

export function usePortalSims(p: { prefix?: string | undefined; cursor?: string | undefined }) {
  // A prefix of digits is an ICCID's or a phone number's start: ICCIDs begin 89, anything else is tried as MSISDN.
  const prefix = p.prefix?.replace(/[\s+]/g, '');
  const filter = prefix ? (prefix.startsWith('89') ? { iccid: prefix } : { msisdn: prefix }) : {};
  const query = { ...filter, limit: PORTAL_PAGE, ...(p.cursor ? { cursor: p.cursor } : {}) };
  return useQuery({
    queryKey: keys.sims.list({ portal: true, ...query }),
    queryFn: () => unwrap(api.GET('/api/v1/sims', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export const usePortalSim = (iccid: string) =>
  useQuery({
    queryKey: keys.sims.one(iccid),
    queryFn: () => unwrap(api.GET('/api/v1/sims/{iccid}', { params: { path: { iccid } } })),
  });

export const usePortalNetworkState = (iccid: string) =>
  useQuery({
    queryKey: [...keys.sims.one(iccid), 'network-state'],
    queryFn: () => unwrap(api.GET('/api/v1/sims/{iccid}/network-state', { params: { path: { iccid } } })),
    refetchInterval: 30_000,
  });

/** Daily usage over the last 30 days (summed on screen). */
export function usePortalUsage(iccid: string) {
  const from = new Date(Date.now() - 30 * 86_400_000).toISOString();
  return useQuery({
    queryKey: [...keys.sims.one(iccid), 'usage', 'day'],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/sims/{iccid}/usage', {
          params: { path: { iccid }, query: { granularity: 'day', from, limit: 1000 } },
        }),
      ),
  });
}

export const usePortalDiagnose = (iccid: string) =>
  useMutation({
    mutationFn: (body: Schemas['DiagnoseRequestInput']) =>
      unwrap(api.POST('/api/v1/sims/{iccid}/diagnosis', { params: { path: { iccid } }, body })),
  });

/**
 * Own cases in the API's order (priority, then SLA due): the active ones by default (the API's default, so a new
 * case is on the first page), every state when `all` (a customer follows resolved ones too).
 */
export const usePortalCases = (p: { cursor?: string | undefined; all: boolean }) =>
  useQuery({
    queryKey: keys.cases.queue({ portal: true, cursor: p.cursor ?? null, all: p.all }),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/cases', {
          params: {
            query: {
              ...(p.all ? { state: 'all' as const } : {}),
              limit: PORTAL_PAGE,
              ...(p.cursor ? { cursor: p.cursor } : {}),
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });

export const usePortalCase = (number: string) =>
  useQuery({
    queryKey: keys.cases.one(number),
    queryFn: () => unwrap(api.GET('/api/v1/cases/{number}', { params: { path: { number } } })),
    refetchInterval: 30_000,
  });

export const usePortalCaseEvents = (number: string) =>
  useQuery({
    queryKey: keys.cases.events(number),
    queryFn: () => unwrap(api.GET('/api/v1/cases/{number}/events', { params: { path: { number } } })),
    refetchInterval: 15_000,
  });

export const usePortalCaseSims = (number: string) =>
  useQuery({
    queryKey: [...keys.cases.one(number), 'sims'],
    queryFn: () =>
      unwrap(api.GET('/api/v1/cases/{number}/sims', { params: { path: { number }, query: { limit: 20 } } })),
  });

export function usePortalReply(number: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: string) =>
      unwrap(
        api.POST('/api/v1/cases/{number}/events', {
          params: { path: { number } },
          body: { kind: 'portal_message', body } as Schemas['CreateCaseEventRequestInput'],
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.cases.all }),
  });
}

export function usePortalTransition(number: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (to: Schemas['CaseTransitionRequestInput']['to']) =>
      unwrap(
        api.POST('/api/v1/cases/{number}/transitions', {
          params: { path: { number } },
          body: { to } as Schemas['CaseTransitionRequestInput'],
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.cases.all }),
  });
}

/** "Keep it open a few more days": the resolved case waits longer before it closes itself. */
export function usePortalKeepOpen(number: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (workingDays: number) =>
      unwrap(
        api.POST('/api/v1/cases/{number}/keep-open', {
          params: { path: { number } },
          body: { workingDays },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.cases.all }),
  });
}

export function usePortalCreateCase() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['CreateCaseRequestInput']) => unwrap(api.POST('/api/v1/cases', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.cases.all }),
  });
}

export type CustomerAlarm = Schemas['CustomerAlarm'];
/** A customer is answered in the customer shape (CustomerAlarm); the staff shape never reaches the portal's screens. */
const customerAlarms = (items: readonly (Schemas['Alarm'] | CustomerAlarm)[]): CustomerAlarm[] =>
  items.filter((a): a is CustomerAlarm => 'cause' in a);

/**
 * Own alarms, newest first: the active ones (the default, what needs attention) or the ended ones; `iccid` narrows to
 * one SIM, `type` to one type (telemetry_threshold: the devices' alarms). Refreshed every 30 s like the case list: a
 * silence is raised by the server's clock, not by a click.
 */
export const usePortalAlarms = (p: {
  status: 'active' | 'cleared';
  iccid?: string | undefined;
  type?: CustomerAlarm['type'] | undefined;
  cursor?: string | undefined;
  limit?: number;
}) => {
  const query = {
    status: p.status,
    limit: p.limit ?? PORTAL_PAGE,
    ...(p.iccid ? { iccid: p.iccid } : {}),
    ...(p.type ? { type: p.type } : {}),
    ...(p.cursor ? { cursor: p.cursor } : {}),
  };
  return useQuery({
    queryKey: keys.alarms.portal(query),
    queryFn: async () => {
      const page = await unwrap(api.GET('/api/v1/alarms', { params: { query } }));
      return { items: customerAlarms(page.items), nextCursor: page.nextCursor };
    },
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
};
