import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { keys } from '../api/keys.ts';

export type SimListParams = { iccid?: string; imsi?: string; msisdn?: string; state?: string; cursor?: string };

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
