import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';

export type LinkSort = 'daysToSaturation' | 'currentP95';

// The list's key is the prefix of each link's: the run's refresh shows in both.
export const capacityKeys = {
  all: ['capacity'] as const,
  list: (sort: LinkSort, cursor: string | null) => ['capacity', 'links', sort, cursor] as const,
  one: (deviceId: number, days: number) => ['capacity', 'link', deviceId, days] as const,
};

/** The forecasts are rewritten by the hourly run: a minute of staleness costs nothing. */
const STALE_MS = 60_000;

export const useCapacityLinks = (sort: LinkSort, cursor: string | null) =>
  useQuery({
    queryKey: capacityKeys.list(sort, cursor),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/capacity/links', {
          params: { query: { sort, limit: 100, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    staleTime: STALE_MS,
    placeholderData: keepPreviousData,
  });

export const useCapacityLink = (deviceId: number, days: number) =>
  useQuery({
    queryKey: capacityKeys.one(deviceId, days),
    queryFn: () =>
      unwrap(api.GET('/api/v1/capacity/links/{deviceId}', { params: { path: { deviceId }, query: { days } } })),
    staleTime: STALE_MS,
  });
