import { Center, Loader } from '@mantine/core';
import { lazy, type ReactNode, Suspense } from 'react';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { isStaff, useMe } from '../auth/session.ts';
import { I18nProvider, isLanguage } from '../i18n/index.tsx';
import { Shell } from './Shell.tsx';

// Route-level splitting: each screen is its own chunk, so the first load carries the shell only.
const LoginPage = lazy(() => import('../auth/LoginPage.tsx'));
const QueuePage = lazy(() => import('../cases/QueuePage.tsx'));
const CasePage = lazy(() => import('../cases/CasePage.tsx'));
const SimsPage = lazy(() => import('../sims/SimsPage.tsx'));
const SimPage = lazy(() => import('../sims/SimPage.tsx'));
const PortalSimsPage = lazy(() => import('../portal/PortalSimsPage.tsx'));
const PortalCasesPage = lazy(() => import('../portal/PortalCasesPage.tsx'));

const page = (el: ReactNode) => (
  <Suspense
    fallback={
      <Center p="xl">
        <Loader aria-label="Loading" />
      </Center>
    }
  >
    {el}
  </Suspense>
);

function Home() {
  const me = useMe();
  if (!me.data) return null;
  return <Navigate to={isStaff(me.data) ? '/cases' : '/portal/sims'} replace />;
}

const router = createBrowserRouter([
  { path: '/login', element: page(<LoginPage />) },
  {
    element: <Shell />,
    children: [
      { index: true, element: <Home /> },
      { path: 'cases', element: page(<QueuePage />) },
      { path: 'cases/:number', element: page(<CasePage />) },
      { path: 'sims', element: page(<SimsPage />) },
      { path: 'sims/:iccid', element: page(<SimPage />) },
      { path: 'portal/sims', element: page(<PortalSimsPage />) },
      { path: 'portal/sims/:iccid', element: page(<SimPage />) },
      { path: 'portal/cases', element: page(<PortalCasesPage />) },
      { path: 'portal/cases/:number', element: page(<CasePage />) },
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
