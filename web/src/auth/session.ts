import { useQuery, useQueryClient } from '@tanstack/react-query';
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

/** The logged-in user, or null when there is no session (401). */
export function useMe() {
  return useQuery(meQuery);
}

export function useLogin() {
  const qc = useQueryClient();
  return async (email: string, password: string) => {
    await unwrap(api.POST('/api/v1/auth/login', { body: { email, password } }));
    await qc.invalidateQueries();
  };
}

export function useLogout() {
  const qc = useQueryClient();
  return async () => {
    await unwrap(api.POST('/api/v1/auth/logout', {}));
    qc.setQueryData(keys.me, null);
    qc.clear();
  };
}
