import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { keys } from '../api/keys.ts';

export type SimListParams = {
  iccid?: string;
  imsi?: string;
  msisdn?: string;
  state?: string;
  accountId?: number;
  cursor?: string;
};

export function useSims(params: SimListParams) {
  return useQuery({
    queryKey: keys.sims.list(params),
    queryFn: () => unwrap(api.GET('/api/v1/sims', { params: { query: { ...params, limit: 50 } } })),
    placeholderData: keepPreviousData,
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

export function useRequestAction(iccid: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['NetworkActionRequestInput']) =>
      unwrap(api.POST('/api/v1/sims/{iccid}/actions', { params: { path: { iccid } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.sims.one(iccid) }),
  });
}
