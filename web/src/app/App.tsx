import type { ComponentType } from 'react';
import { createBrowserRouter, type LoaderFunctionArgs, Navigate, RouterProvider } from 'react-router';
import { isStaff, meQuery, useMe } from '../auth/session.ts';
import { caseEventsQuery, caseQuery, queueParamsFrom, queueQuery } from '../cases/queries.ts';
import { I18nProvider, isLanguage } from '../i18n/index.tsx';
import { queryClient } from './query-client.ts';
import { Shell } from './Shell.tsx';

/**
 * Each screen is its own chunk, loaded by the router while it navigates (not by Suspense in render, which would
 * wait for the session first and then throttle the reveal). Loaders start a screen's data at the same moment, so
 * code, session and data arrive in parallel; they never wait for the data (the screen shows its own loading).
 */
const screen = (load: () => Promise<{ default: ComponentType }>) => async () => ({ Component: (await load()).default });
const prefetch =
  (...queries: ((args: LoaderFunctionArgs) => { queryKey: readonly unknown[]; queryFn: () => Promise<unknown> })[]) =>
  (args: LoaderFunctionArgs) => {
    void queryClient.prefetchQuery(meQuery);
    for (const q of queries) void queryClient.prefetchQuery(q(args));
    return null;
  };

function Home() {
  const me = useMe();
  if (!me.data) return null;
  return <Navigate to={isStaff(me.data) ? '/cases' : '/portal/sims'} replace />;
}

const caseScreen = {
  lazy: screen(() => import('../cases/CasePage.tsx')),
  loader: prefetch(
    ({ params }) => caseQuery(params.number ?? ''),
    ({ params }) => caseEventsQuery(params.number ?? ''),
  ),
};

const router = createBrowserRouter([
  { path: '/login', lazy: screen(() => import('../auth/LoginPage.tsx')) },
  {
    element: <Shell />,
    HydrateFallback: () => null,
    children: [
      { index: true, element: <Home />, loader: prefetch() },
      {
        path: 'cases',
        lazy: screen(() => import('../cases/QueuePage.tsx')),
        loader: prefetch(({ request }) => queueQuery(queueParamsFrom(new URL(request.url).searchParams))),
      },
      { path: 'cases/:number', ...caseScreen },
      { path: 'dashboard', lazy: screen(() => import('../dashboard/DashboardPage.tsx')), loader: prefetch() },
      { path: 'alarms', lazy: screen(() => import('../alarms/AlarmsPage.tsx')), loader: prefetch() },
      { path: 'alarms/rules', lazy: screen(() => import('../alarms/RulesPage.tsx')), loader: prefetch() },
      { path: 'alarms/rules/:id', lazy: screen(() => import('../alarms/RuleEditorPage.tsx')), loader: prefetch() },
      { path: 'alarms/:id', lazy: screen(() => import('../alarms/AlarmPage.tsx')), loader: prefetch() },
      { path: 'capacity', lazy: screen(() => import('../capacity/CapacityPage.tsx')), loader: prefetch() },
      {
        path: 'capacity/:deviceId',
        lazy: screen(() => import('../capacity/CapacityLinkPage.tsx')),
        loader: prefetch(),
      },
      {
        path: 'notifications',
        lazy: screen(() => import('../notifications/NotificationsPage.tsx')),
        loader: prefetch(),
      },
      { path: 'accounts', lazy: screen(() => import('../accounts/AccountsPage.tsx')), loader: prefetch() },
      { path: 'accounts/:id', lazy: screen(() => import('../accounts/AccountPage.tsx')), loader: prefetch() },
      { path: 'sims/import', lazy: screen(() => import('../sims/ImportPage.tsx')), loader: prefetch() },
      { path: 'sims', lazy: screen(() => import('../sims/SimsPage.tsx')), loader: prefetch() },
      { path: 'sims/:iccid', lazy: screen(() => import('../sims/SimPage.tsx')), loader: prefetch() },
      // Webhooks: the same screens for staff (every endpoint) and, under /portal, for a customer (their own).
      { path: 'webhooks', lazy: screen(() => import('../webhooks/WebhooksPage.tsx')), loader: prefetch() },
      { path: 'webhooks/:id', lazy: screen(() => import('../webhooks/WebhookPage.tsx')), loader: prefetch() },
      { path: 'portal/webhooks', lazy: screen(() => import('../webhooks/WebhooksPage.tsx')), loader: prefetch() },
      { path: 'portal/webhooks/:id', lazy: screen(() => import('../webhooks/WebhookPage.tsx')), loader: prefetch() },
      // Mail (staff): triage, outbox and templates as tabs with their own addresses, and one stored mail.
      ...['mail', 'mail/outbox', 'mail/templates'].map((path) => ({
        path,
        lazy: screen(() => import('../mail/MailPage.tsx')),
        loader: prefetch(),
      })),
      { path: 'mail/messages/:id', lazy: screen(() => import('../mail/MailMessagePage.tsx')), loader: prefetch() },
      { path: 'admin/*', lazy: screen(() => import('../admin/AdminPage.tsx')), loader: prefetch() },
      { path: 'portal/sims', lazy: screen(() => import('../portal/PortalSimsPage.tsx')), loader: prefetch() },
      { path: 'portal/sims/:iccid', lazy: screen(() => import('../portal/PortalSimPage.tsx')), loader: prefetch() },
      { path: 'portal/cases', lazy: screen(() => import('../portal/PortalCasesPage.tsx')), loader: prefetch() },
      { path: 'portal/alarms', lazy: screen(() => import('../portal/PortalAlarmsPage.tsx')), loader: prefetch() },
      {
        path: 'portal/cases/:number',
        lazy: screen(() => import('../portal/PortalCasePage.tsx')),
        loader: prefetch(
          ({ params }) => caseQuery(params.number ?? ''),
          ({ params }) => caseEventsQuery(params.number ?? ''),
        ),
      },
      { path: '*', element: <Navigate to="/" replace /> },
    ],
  },
]);

const LANG_KEY = 'iotops.lang';

export function App() {
  const me = useMe();
  const chosen = localStorage.getItem(LANG_KEY);
  // The user's own choice, else their profile language (a customer's is their account's), else English.
  const lang = isLanguage(chosen) ? chosen : isLanguage(me.data?.language) ? me.data.language : 'en';
  return (
    <I18nProvider lang={lang}>
      <RouterProvider router={router} />
    </I18nProvider>
  );
}

export function chooseLanguage(l: string) {
  localStorage.setItem(LANG_KEY, l);
  window.location.reload();
}
