import { type QueryKey, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { keys } from '../api/keys.ts';

/**
 * The admin screens' query keys. They sit here rather than in api/keys.ts only because that file is shared with
 * the other screens' work in progress; they follow its shape and can move there as they are.
 */
export const adminKeys = {
  users: ['users'] as const,
  loginEvents: ['login-events'] as const,
  // Case assignment lists the staff by this key; a new admin or agent belongs in it.
  agents: ['agents'] as const,
  tokens: ['tokens'] as const,
  ingestCredentials: ['ingest', 'credentials'] as const,
  plans: ['plans'] as const,
  communicationPlans: ['plans', 'communication'] as const,
  ratePlans: ['plans', 'rate'] as const,
  sla: ['sla'] as const,
  calendars: ['sla', 'calendars'] as const,
  policies: ['sla', 'policies'] as const,
  matrix: ['sla', 'priority-matrix'] as const,
  matrixHistory: ['sla', 'priority-matrix', 'history'] as const,
  accountOptions: ['accounts', 'options'] as const,
};

/** A mutation that, once the server has taken it, refreshes what it changed before the caller carries on. */
function useChange<V, R>(mutationFn: (v: V) => Promise<R>, touched: readonly QueryKey[]) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: () => Promise.all(touched.map((queryKey) => qc.invalidateQueries({ queryKey }))),
  });
}

/** Accounts to pick from (a customer user's account, a plan's owner, a policy's contract accounts). */
export function useAccountOptions(enabled = true) {
  return useQuery({
    enabled,
    queryKey: adminKeys.accountOptions,
    queryFn: () => unwrap(api.GET('/api/v1/accounts', { params: { query: { limit: 500 } } })),
    select: (page) => page.items.map((a) => ({ value: String(a.id), label: `${a.name} (${a.number})` })),
    staleTime: 60_000,
  });
}

/** One page of users; the cursor (from the URL) is the previous page's nextCursor. */
export const USERS_PAGE = 50;
export const useUsers = (cursor?: string) =>
  useQuery({
    queryKey: [...adminKeys.users, cursor ?? null],
    queryFn: () =>
      unwrap(api.GET('/api/v1/users', { params: { query: { limit: USERS_PAGE, ...(cursor ? { cursor } : {}) } } })),
  });
// A disabled user leaves the assignee list; a role change moves them in or out of it.
export const useUpdateUser = () =>
  useChange(
    (v: { id: number; body: Schemas['UpdateUserRequestInput'] }) =>
      unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id: v.id } }, body: v.body })),
    [adminKeys.users, adminKeys.agents],
  );
// An unlock is in the audit too.
export const useUnlockUser = () =>
  useChange(
    (id: number) => unwrap(api.POST('/api/v1/users/{id}/unlock', { params: { path: { id } }, body: {} })),
    [adminKeys.users, adminKeys.loginEvents],
  );
export type LoginEventFilter = { userId?: number; outcome?: Schemas['LoginEvent']['outcome']; cursor?: string };
export const LOGIN_EVENTS_PAGE = 50;
export const useLoginEvents = (f: LoginEventFilter) =>
  useQuery({
    queryKey: [...adminKeys.loginEvents, f],
    queryFn: () => unwrap(api.GET('/api/v1/login-events', { params: { query: { limit: LOGIN_EVENTS_PAGE, ...f } } })),
  });
export const useUserTokens = (id: number | null) =>
  useQuery({
    queryKey: [...adminKeys.users, id, 'tokens'],
    queryFn: () => unwrap(api.GET('/api/v1/users/{id}/tokens', { params: { path: { id: id ?? 0 } } })),
    enabled: id !== null,
  });
export const useRevokeUserToken = () =>
  useChange(
    (v: { userId: number; tokenId: number }) =>
      unwrap(
        api.DELETE('/api/v1/users/{id}/tokens/{tokenId}', { params: { path: { id: v.userId, tokenId: v.tokenId } } }),
      ),
    [adminKeys.users, adminKeys.tokens],
  );
export const useCreateUser = () =>
  useChange(
    (body: Schemas['CreateUserRequestInput']) => unwrap(api.POST('/api/v1/users', { body })),
    [adminKeys.users, adminKeys.agents],
  );

export const useTokens = () =>
  useQuery({ queryKey: adminKeys.tokens, queryFn: () => unwrap(api.GET('/api/v1/tokens')) });
export const useCreateToken = () =>
  useChange(
    (body: Schemas['CreateTokenRequestInput']) => unwrap(api.POST('/api/v1/tokens', { body })),
    [adminKeys.tokens],
  );
export const useRevokeToken = () =>
  useChange(
    (id: number) => unwrap(api.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } })),
    [adminKeys.tokens],
  );

export const useIngestCredentials = () =>
  useQuery({
    queryKey: adminKeys.ingestCredentials,
    queryFn: () => unwrap(api.GET('/api/v1/ingest/credentials')),
  });
export const useCreateIngestCredential = () =>
  useChange(
    (name: string) => unwrap(api.POST('/api/v1/ingest/credentials', { body: { name } })),
    [adminKeys.ingestCredentials],
  );
export const useRevokeIngestCredential = () =>
  useChange(
    (id: number) => unwrap(api.DELETE('/api/v1/ingest/credentials/{id}', { params: { path: { id } } })),
    [adminKeys.ingestCredentials],
  );

// An account shows the plans it may use, and SIMs show their plans by name: a plan change touches both.
const planTouches: QueryKey[] = [adminKeys.plans, ['accounts'], keys.sims.all];

/** Plans are few (tens); one page of the API's largest size holds them, and more is said on screen. */
export const useCommunicationPlans = () =>
  useQuery({
    queryKey: adminKeys.communicationPlans,
    queryFn: () => unwrap(api.GET('/api/v1/communication-plans', { params: { query: { limit: 500 } } })),
  });
export const useSaveCommunicationPlan = () =>
  useChange(
    (
      v:
        | { id: number; body: Schemas['UpdateCommunicationPlanRequestInput'] }
        | { id: null; body: Schemas['CreateCommunicationPlanRequestInput'] },
    ) =>
      v.id === null
        ? unwrap(api.POST('/api/v1/communication-plans', { body: v.body }))
        : unwrap(api.PATCH('/api/v1/communication-plans/{id}', { params: { path: { id: v.id } }, body: v.body })),
    planTouches,
  );

export const useRatePlans = () =>
  useQuery({
    queryKey: adminKeys.ratePlans,
    queryFn: () => unwrap(api.GET('/api/v1/rate-plans', { params: { query: { limit: 500 } } })),
  });
export const useSaveRatePlan = () =>
  useChange(
    (
      v:
        | { id: number; body: Schemas['UpdateRatePlanRequestInput'] }
        | { id: null; body: Schemas['CreateRatePlanRequestInput'] },
    ) =>
      v.id === null
        ? unwrap(api.POST('/api/v1/rate-plans', { body: v.body }))
        : unwrap(api.PATCH('/api/v1/rate-plans/{id}', { params: { path: { id: v.id } }, body: v.body })),
    planTouches,
  );

export const useDeletePlan = () =>
  useChange(
    (v: { kind: 'communication' | 'rate'; id: number }) =>
      v.kind === 'communication'
        ? unwrap(api.DELETE('/api/v1/communication-plans/{id}', { params: { path: { id: v.id } } }))
        : unwrap(api.DELETE('/api/v1/rate-plans/{id}', { params: { path: { id: v.id } } })),
    planTouches,
  );

export const useCalendars = () =>
  useQuery({ queryKey: adminKeys.calendars, queryFn: () => unwrap(api.GET('/api/v1/sla/calendars')) });
// Calendars and policies set every open case's SLA clocks.
export const useSaveCalendar = () =>
  useChange(
    (
      v:
        | { id: number; body: Schemas['UpdateSlaCalendarRequestInput'] }
        | { id: null; body: Schemas['SlaCalendarDefinitionInput'] },
    ) =>
      v.id === null
        ? unwrap(api.POST('/api/v1/sla/calendars', { body: v.body }))
        : unwrap(api.PATCH('/api/v1/sla/calendars/{id}', { params: { path: { id: v.id } }, body: v.body })),
    [adminKeys.calendars, keys.cases.all],
  );

export const usePolicies = () =>
  useQuery({ queryKey: adminKeys.policies, queryFn: () => unwrap(api.GET('/api/v1/sla/policies')) });
export const useSavePolicy = () =>
  useChange(
    (
      v:
        | { id: number; body: Schemas['UpdateSlaPolicyRequestInput'] }
        | { id: null; body: Schemas['CreateSlaPolicyRequestInput'] },
    ) =>
      v.id === null
        ? unwrap(api.POST('/api/v1/sla/policies', { body: v.body }))
        : unwrap(api.PATCH('/api/v1/sla/policies/{id}', { params: { path: { id: v.id } }, body: v.body })),
    [adminKeys.policies, keys.cases.all],
  );

export const useDeleteSlaItem = () =>
  useChange(
    (v: { kind: 'calendar' | 'policy'; id: number }) =>
      v.kind === 'calendar'
        ? unwrap(api.DELETE('/api/v1/sla/calendars/{id}', { params: { path: { id: v.id } } }))
        : unwrap(api.DELETE('/api/v1/sla/policies/{id}', { params: { path: { id: v.id } } })),
    [adminKeys.sla, keys.cases.all],
  );

/** The built-in matrix, to preview what "reset to default" puts back; it never changes while the app runs. */
export const useDefaultPriorityMatrix = (enabled: boolean) =>
  useQuery({
    queryKey: [...adminKeys.matrix, 'default'],
    queryFn: () => unwrap(api.GET('/api/v1/sla/priority-matrix/default')),
    enabled,
    staleTime: Number.POSITIVE_INFINITY,
  });

export const usePriorityMatrix = () =>
  useQuery({
    queryKey: adminKeys.matrix,
    queryFn: () => unwrap(api.GET('/api/v1/sla/priority-matrix')),
  });
export const MATRIX_HISTORY_LIMIT = 50;
export const usePriorityMatrixHistory = () =>
  useQuery({
    queryKey: adminKeys.matrixHistory,
    queryFn: () =>
      unwrap(api.GET('/api/v1/sla/priority-matrix/history', { params: { query: { limit: MATRIX_HISTORY_LIMIT } } })),
  });
// A matrix change recomputes every open case's priority (the matrix key is a prefix of its history's).
export const useReplacePriorityMatrix = () =>
  useChange(
    (matrix: Schemas['PriorityMatrixConfig']) => unwrap(api.PUT('/api/v1/sla/priority-matrix', { body: matrix })),
    [adminKeys.matrix, keys.cases.all],
  );
export const useResetPriorityMatrix = () =>
  useChange(() => unwrap(api.DELETE('/api/v1/sla/priority-matrix')), [adminKeys.matrix, keys.cases.all]);

/** Plans in bulk from a file (the body of POST /api/v1/plans/import); a dry run checks and changes nothing. */
export const useImportPlans = () =>
  useChange(
    (v: { body: Schemas['ImportPlansRequestInput']; upsert: boolean; dryRun: boolean }) =>
      unwrap(
        api.POST('/api/v1/plans/import', {
          params: { query: { mode: v.upsert ? 'upsert' : 'create', dryRun: v.dryRun ? 'true' : 'false' } },
          body: v.body,
        }),
      ),
    planTouches,
  );
