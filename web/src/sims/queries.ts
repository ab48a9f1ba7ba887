import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { keys } from '../api/keys.ts';

export type SimListParams = {
  iccid?: string;
  imsi?: string;
  msisdn?: string;
  state?: string;
  accountId?: number;
  networkState?: NetworkState;
  /** Last seen, relative so a deep link keeps its meaning: `within:24h` or `not:24h` (see SEEN). */
  seen?: string;
  failing?: boolean;
  cursor?: string;
};

export const NETWORK_STATES = ['ATTACHED', 'ONLINE', 'OFFLINE', 'BLOCKED'] as const;
export type NetworkState = (typeof NETWORK_STATES)[number];
/** The last-seen choices: seen within the period, or not seen for it. */
export const SEEN = ['within:1h', 'within:24h', 'not:24h', 'not:7d', 'not:30d'] as const;
const PERIOD_MS: Record<string, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
};

/**
 * The list's filter as the API takes it (GET /sims, the bulk change's filter selection and the export share it).
 * The last-seen instant is taken now, when the request leaves.
 */
export function apiFilter(p: SimListParams) {
  const [kind, period] = (p.seen ?? '').split(':');
  const at = period && PERIOD_MS[period] ? new Date(Date.now() - PERIOD_MS[period]).toISOString() : undefined;
  return {
    ...(p.iccid ? { iccid: p.iccid } : {}),
    ...(p.imsi ? { imsi: p.imsi } : {}),
    ...(p.msisdn ? { msisdn: p.msisdn } : {}),
    ...(p.state ? { state: p.state as Schemas['Sim']['state'] } : {}),
    ...(p.accountId ? { accountId: p.accountId } : {}),
    ...(p.networkState ? { networkState: p.networkState } : {}),
    ...(at && kind === 'within' ? { lastSeenAfter: at } : {}),
    ...(at && kind === 'not' ? { lastSeenBefore: at } : {}),
    ...(p.failing ? { failing: true } : {}),
  };
}

/** GET /api/v1/sims/export with the list's filter: a plain link, the session cookie authenticates the download. */
export function exportHref(p: SimListParams): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(apiFilter(p))) q.set(k, String(v));
  const s = q.toString();
  return `/api/v1/sims/export${s ? `?${s}` : ''}`;
}

export function useSims(params: SimListParams) {
  return useQuery({
    queryKey: keys.sims.list(params),
    queryFn: () => {
      const { failing, ...filter } = apiFilter(params);
      const query = { ...filter, ...(failing ? { failing: 'true' as const } : {}), cursor: params.cursor, limit: 50 };
      return unwrap(api.GET('/api/v1/sims', { params: { query } }));
    },
    placeholderData: keepPreviousData,
  });
}

/** How many SIMs the list's filter selects (asked only when the user picks "all matching": a count costs). */
export function useSimCount(params: SimListParams, enabled: boolean) {
  const { cursor: _cursor, ...filter } = params;
  return useQuery({
    queryKey: [...keys.sims.list(filter), 'count'],
    queryFn: () => {
      const { failing, ...query } = apiFilter(filter);
      return unwrap(
        api.GET('/api/v1/sims/count', {
          params: { query: { ...query, ...(failing ? { failing: 'true' as const } : {}) } },
        }),
      );
    },
    enabled,
  });
}

export type BulkRequest = Schemas['BulkSimChangeRequestInput'];

/** POST /api/v1/sims/bulk: a dry run for the confirmation, then the change; a real change refreshes every SIM view. */
export function useBulkChange() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: BulkRequest) => unwrap(api.POST('/api/v1/sims/bulk', { body })),
    onSuccess: (_r, body) => (body.dryRun ? undefined : qc.invalidateQueries({ queryKey: keys.sims.all })),
  });
}

/** The plans offered in the bulk change (the first 200 of each kind; the API checks each SIM's account). */
export function usePlanChoices() {
  return useQuery({
    queryKey: [...keys.sims.all, 'plan-choices'],
    queryFn: async () => {
      const [c, r] = await Promise.all([
        unwrap(api.GET('/api/v1/communication-plans', { params: { query: { limit: 200 } } })),
        unwrap(api.GET('/api/v1/rate-plans', { params: { query: { limit: 200 } } })),
      ]);
      return { communication: c.items, rate: r.items };
    },
    staleTime: 60_000,
  });
}

/** Network state now and every IMEI the SIM was seen in (the network module's view). */
export function useNetworkState(iccid: string) {
  return useQuery({
    queryKey: [...keys.sims.one(iccid), 'network-state'],
    queryFn: () => unwrap(api.GET('/api/v1/sims/{iccid}/network-state', { params: { path: { iccid } } })),
    refetchInterval: 30_000,
  });
}

export function useSim(iccid: string) {
  return useQuery({
    queryKey: keys.sims.one(iccid),
    queryFn: () => unwrap(api.GET('/api/v1/sims/{iccid}', { params: { path: { iccid } } })),
  });
}

export function useDiagnose(iccid: string) {
  return useMutation({
    mutationFn: (body: Schemas['DiagnoseRequestInput']) =>
      unwrap(api.POST('/api/v1/sims/{iccid}/diagnosis', { params: { path: { iccid } }, body })),
  });
}

const TRACE_TYPES = [
  'attach',
  'attach_rejected',
  'detach',
  'session_start',
  'session_update',
  'session_end',
  'session_rejected',
  'sms_mo',
  'sms_mt',
  'voice',
] as const;
export type TraceType = (typeof TRACE_TYPES)[number];
export { TRACE_TYPES };

/** The live trace: newest events of the last 24 h, re-read every 5 s while the tab is open. */
export function useTrace(iccid: string, types: TraceType[]) {
  return useQuery({
    queryKey: keys.sims.events(iccid, types.join(',')),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/sims/{iccid}/events', {
          params: { path: { iccid }, query: { limit: 200, ...(types.length > 0 ? { type: types } : {}) } },
        }),
      ),
    refetchInterval: 5_000,
  });
}

export function useUsage(iccid: string, granularity: 'hour' | 'day') {
  const from = new Date(Date.now() - (granularity === 'hour' ? 2 : 30) * 86_400_000).toISOString();
  return useQuery({
    queryKey: [...keys.sims.one(iccid), 'usage', granularity],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/sims/{iccid}/usage', {
          params: { path: { iccid }, query: { granularity, from, limit: 1000 } },
        }),
      ),
    refetchInterval: 60_000,
  });
}

export function useSessions(iccid: string) {
  return useQuery({
    queryKey: [...keys.sims.one(iccid), 'sessions'],
    queryFn: () =>
      unwrap(api.GET('/api/v1/sims/{iccid}/sessions', { params: { path: { iccid }, query: { limit: 50 } } })),
  });
}

export function useSimHistory(iccid: string) {
  return useQuery({
    queryKey: [...keys.sims.one(iccid), 'history'],
    queryFn: () =>
      unwrap(api.GET('/api/v1/sims/{iccid}/history', { params: { path: { iccid }, query: { limit: 50 } } })),
  });
}

export function useActions(iccid: string) {
  return useQuery({
    queryKey: [...keys.sims.one(iccid), 'actions'],
    queryFn: () =>
      unwrap(api.GET('/api/v1/sims/{iccid}/actions', { params: { path: { iccid }, query: { limit: 20 } } })),
    // An action is carried out by the worker: follow it until it is applied or failed.
    refetchInterval: (q) => (q.state.data?.items.some((a) => a.status === 'requested') ? 1_000 : false),
  });
}

/** Runs a network action on the SIM; for a case (`caseNumber`), its timeline is read again: the request is there. */
export function useRequestAction(iccid: string, caseNumber?: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['NetworkActionRequestInput']) =>
      unwrap(api.POST('/api/v1/sims/{iccid}/actions', { params: { path: { iccid } }, body })),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: keys.sims.one(iccid) }),
        caseNumber && qc.invalidateQueries({ queryKey: keys.cases.events(caseNumber) }),
      ]),
  });
}
