import { api, unwrap } from '../api/client.ts';
import { keys } from '../api/keys.ts';

/**
 * One page of the mail waiting in triage (oldest first), 200 at a time: the Triage tab's pages, and the first one
 * also gives the staff nav its count. Kept apart from queries.ts so the shell's script carries only this.
 */
export const TRIAGE_PAGE = 200;
export const triageQuery = (cursor: string | null) => ({
  queryKey: keys.mail.triage(cursor),
  queryFn: () =>
    unwrap(
      api.GET('/api/v1/mail/triage', { params: { query: { limit: TRIAGE_PAGE, ...(cursor ? { cursor } : {}) } } }),
    ),
});
