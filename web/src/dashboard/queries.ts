import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';

const day = (d: Date) => d.toISOString().slice(0, 10);
/** The reports' window: the last 6 months, today included (`to` is exclusive). */
export function reportWindow() {
  const to = new Date(Date.now() + 86_400_000);
  const from = new Date(to.getTime() - 182 * 86_400_000);
  return { from: day(from), to: day(to) };
}

export function useVolume() {
  return useQuery({
    queryKey: ['reports', 'volume'],
    queryFn: () =>
      unwrap(api.GET('/api/v1/reports/cases/volume', { params: { query: { ...reportWindow(), groupBy: 'month' } } })),
  });
}

export function useHandlingTime() {
  return useQuery({
    queryKey: ['reports', 'handling'],
    queryFn: () => unwrap(api.GET('/api/v1/reports/cases/handling-time', { params: { query: reportWindow() } })),
  });
}

export function useSlaMet() {
  return useQuery({
    queryKey: ['reports', 'sla'],
    queryFn: () => unwrap(api.GET('/api/v1/reports/cases/sla', { params: { query: reportWindow() } })),
  });
}

/** Network events per 5 minutes over the last hour: the live ingest rate. */
export function useIngestRate() {
  return useQuery({
    queryKey: ['network', 'fleet', 'rate'],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/network/fleet', {
          params: { query: { from: new Date(Date.now() - 3_600_000).toISOString(), bucket: '5m', by: 'type' } },
        }),
      ),
    refetchInterval: 30_000,
  });
}

export function useFailing() {
  return useQuery({
    queryKey: ['network', 'failing'],
    queryFn: () => unwrap(api.GET('/api/v1/network/failing')),
    refetchInterval: 60_000,
  });
}
