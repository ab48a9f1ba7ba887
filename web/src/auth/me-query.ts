/** The session's query without React, for the boot entry (app/boot.ts); session.ts has the hooks. */
import { ApiError, api, type Schemas, unwrap } from '../api/client.ts';
import { keys } from '../api/keys.ts';

export type Me = Schemas['Me'];
export const isStaff = (me: Me) => me.role === 'admin' || me.role === 'agent';

export const meQuery = {
  queryKey: keys.me,
  queryFn: async (): Promise<Me | null> => {
    try {
      return await unwrap(api.GET('/api/v1/auth/me'));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return null;
      throw e;
    }
  },
  staleTime: 60_000,
};
