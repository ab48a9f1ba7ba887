/**
 * The console's entry (web/index.html). The app itself — React, the router, Mantine, every screen's route table —
 * is ~450 KB to compile and run before the router would start the first screen's code and data. So for the two
 * screens an agent opens all day (the queue and a case; issue 12's navigation goal), their chunk and their API calls
 * start here first, and the browser fetches and compiles them while the app's own script runs. The router's loaders
 * then find the same queries in flight (same keys) and the chunk already loaded.
 */
// The styles here, not in main.tsx, so that index.html links them and they load with the page, not after boot runs.
import '@mantine/core/styles.css';
import '../ui/plain.css';
// Nothing here imports React (≈ 190 KB to parse before the first request would start): plain query definitions
// and TanStack's query-core only.
import { meQuery } from '../auth/me-query.ts';
import { caseEventsQuery, caseQuery, queueParamsFrom, queueQuery } from '../cases/queue-params.ts';
import { queryClient } from './query-client.ts';

const path = location.pathname;
// The same paths as App.tsx's `cases` and `cases/:number` routes.
const caseNumber = /^\/cases\/([^/]+)\/?$/.exec(path)?.[1];
if (path === '/cases' || path === '/cases/' || caseNumber) {
  void queryClient.prefetchQuery(meQuery);
  if (caseNumber) {
    const number = decodeURIComponent(caseNumber);
    void queryClient.prefetchQuery(caseQuery(number));
    void queryClient.prefetchQuery(caseEventsQuery(number));
    void import('../cases/CasePage.tsx');
  } else {
    void queryClient.prefetchQuery(queueQuery(queueParamsFrom(new URLSearchParams(location.search))));
    void import('../cases/QueuePage.tsx');
  }
}
void import('../main.tsx');
