import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { keys } from '../api/keys.ts';

type StateFilter = Schemas['CaseSummary']['state'] | 'all';
export type QueueParams = {
  /** Default (none): the active cases; 'all' for every state. */
  state?: StateFilter[];
  type?: Schemas['CaseSummary']['type'];
  queue?: string;
  assignee?: 'me';
  accountId?: number;
  /** Case number, subject, customer name or number, an affected SIM's ICCID or MSISDN. */
  q?: string;
  cursor?: string;
};

/** The queue's filters and page from the URL: the URL is the state of the list. */
export function queueParamsFrom(search: URLSearchParams): QueueParams {
  const p: QueueParams = {};
  const states = search
    .getAll('state')
    .flatMap((s) => s.split(','))
    .filter(Boolean);
  const type = search.get('type');
  if (states.length > 0) p.state = states as StateFilter[];
  if (search.get('q')) p.q = search.get('q')!;
  if (type) p.type = type as QueueParams['type'];
  if (search.get('queue')) p.queue = search.get('queue')!;
  if (search.get('assignee') === 'me') p.assignee = 'me';
  if (search.get('accountId')) p.accountId = Number(search.get('accountId'));
  if (search.get('cursor')) p.cursor = search.get('cursor')!;
  return p;
}

export const queueQuery = (params: QueueParams) => ({
  queryKey: keys.cases.queue(params),
  queryFn: () => unwrap(api.GET('/api/v1/cases', { params: { query: { ...params, limit: 50 } } })),
});

/**
 * The queue polls every 15 s while the tab is visible (TanStack Query pauses the interval in a hidden tab and
 * refetches on focus); the page shown stays (cursor in the URL) and QueuePage keeps the rows' order between polls,
 * so an agent never loses their place.
 */
export function useQueue(params: QueueParams) {
  return useQuery({
    ...queueQuery(params),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
    refetchIntervalInBackground: false,
  });
}

export const caseQuery = (number: string) => ({
  queryKey: keys.cases.one(number),
  queryFn: () => unwrap(api.GET('/api/v1/cases/{number}', { params: { path: { number } } })),
});
export const caseEventsQuery = (number: string) => ({
  queryKey: keys.cases.events(number),
  queryFn: () => unwrap(api.GET('/api/v1/cases/{number}/events', { params: { path: { number } } })),
});

export function useCase(number: string) {
  return useQuery({ ...caseQuery(number), refetchInterval: 30_000 });
}

export function useCaseEvents(number: string) {
  return useQuery({ ...caseEventsQuery(number), refetchInterval: 15_000 });
}

export function useCaseSla(number: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.cases.sla(number),
    queryFn: () => unwrap(api.GET('/api/v1/cases/{number}/sla', { params: { path: { number } } })),
    enabled,
    refetchInterval: 60_000,
  });
}

export function useAddEvent(number: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['CreateCaseEventRequestInput']) =>
      unwrap(api.POST('/api/v1/cases/{number}/events', { params: { path: { number } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.cases.one(number) }),
  });
}

export function useTransition(number: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['CaseTransitionRequestInput']) =>
      unwrap(api.POST('/api/v1/cases/{number}/transitions', { params: { path: { number } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.cases.all }),
  });
}

/** The staff a case can be assigned to. */
export function useAgents(enabled: boolean) {
  return useQuery({
    queryKey: ['agents'],
    queryFn: () => unwrap(api.GET('/api/v1/agents')),
    enabled,
    staleTime: 300_000,
  });
}

export function useUpdateCase(number: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['UpdateCaseRequestInput']) =>
      unwrap(api.PATCH('/api/v1/cases/{number}', { params: { path: { number } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.cases.all }),
  });
}

export function useCreateCase() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['CreateCaseRequestInput']) => unwrap(api.POST('/api/v1/cases', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.cases.all }),
  });
}
