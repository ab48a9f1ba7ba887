/**
 * The queue's and a case's queries as plain definitions, without React: the boot entry (app/boot.ts) starts them
 * before React is even parsed, and queries.ts builds the screens' hooks on them.
 */
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

export const caseQuery = (number: string) => ({
  queryKey: keys.cases.one(number),
  queryFn: () => unwrap(api.GET('/api/v1/cases/{number}', { params: { path: { number } } })),
});
export const caseEventsQuery = (number: string) => ({
  queryKey: keys.cases.events(number),
  queryFn: () => unwrap(api.GET('/api/v1/cases/{number}/events', { params: { path: { number } } })),
});
