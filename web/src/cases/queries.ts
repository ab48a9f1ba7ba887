import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import { caseEventsQuery, caseQuery, type QueueParams, queueQuery } from './queue-params.ts';

export { caseEventsQuery, caseQuery, type QueueParams, queueParamsFrom, queueQuery } from './queue-params.ts';

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

export function useCase(number: string) {
  return useQuery({ ...caseQuery(number), refetchInterval: 30_000 });
}

export function useCaseEvents(number: string) {
  return useQuery({ ...caseEventsQuery(number), refetchInterval: 15_000 });
}

/**
 * Staff: the mails that carried the case's entries to its contacts, by entry id (the outbox's newest 200 of the case;
 * a case mailed more than that shows the older ones' state in Mail → Outbox). Asked again with the timeline.
 */
export function useCaseDeliveries(number: string, enabled: boolean) {
  const q = useQuery({
    queryKey: keys.mail.outbox({ caseNumber: number, limit: 200 }),
    queryFn: () => unwrap(api.GET('/api/v1/mail/outbox', { params: { query: { caseNumber: number, limit: 200 } } })),
    enabled,
    refetchInterval: 15_000,
  });
  const items = q.data?.items;
  return useMemo(() => {
    const byEntry = new Map<number, Schemas['OutboundMail'][]>();
    for (const m of items ?? []) {
      if (m.entryId === null) continue;
      byEntry.set(m.entryId, [...(byEntry.get(m.entryId) ?? []), m]);
    }
    return byEntry;
  }, [items]);
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
