// query-core, not react-query: the boot entry imports this before React is parsed (the same class react-query
// re-exports, so QueryClientProvider takes it).
import { QueryClient } from '@tanstack/query-core';
import { ApiError } from '../api/client.ts';

/** One client for the app and the router's loaders (which start a screen's data while its code loads). */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not fix itself; a dropped connection will (the banner says so meanwhile).
      retry: (n, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && n < 3,
      refetchOnWindowFocus: true,
      // Data a loader fetched while the screen's code loaded is used as it is, not fetched again on mount.
      staleTime: 5_000,
    },
  },
});
