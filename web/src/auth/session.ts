import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import { meQuery } from './me-query.ts';

export { isStaff, type Me, meQuery } from './me-query.ts';

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
