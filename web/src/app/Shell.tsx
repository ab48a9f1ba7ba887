import { Alert, AppShell, Badge, Button, Center, Group, Loader, NavLink, Text, VisuallyHidden } from '@mantine/core';
import { useIsFetching, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState } from 'react';
import { Navigate, Outlet, NavLink as RouterLink, useLocation } from 'react-router';
import { onUnauthorized } from '../api/client.ts';
import { isStaff, useLogout, useMe } from '../auth/session.ts';
import { useI18n } from '../i18n/index.tsx';
import { triageQuery } from '../mail/triage-query.ts';
import { CustomerView } from '../ui/ErrorAlert.tsx';
import { useModule } from '../ui/useModule.ts';

// Not in the main script (see ShellExtras.tsx): fetched beside the first screen's chunk.
const loadExtras = () => import('./ShellExtras.tsx');
const ExpiredLogin = lazy(() => loadExtras().then((m) => ({ default: m.ExpiredLogin })));

/** Whether the browser reaches the server: a banner while it does not, and queries retry when it comes back. */
function useOnline() {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, []);
  return online;
}

/**
 * How much mail waits in triage, for the staff nav: the total the triage list's first page carries, asked every
 * minute; the same query the Triage tab shows, so an action there updates the count at once.
 */
function useTriageCount(staff: boolean): string | null {
  const q = useQuery({ ...triageQuery(null), enabled: staff, refetchInterval: 60_000, staleTime: 30_000 });
  const n = q.data?.total ?? 0;
  return n === 0 ? null : String(n);
}

export function Shell() {
  const { t } = useI18n();
  const me = useMe();
  const location = useLocation();
  const logout = useLogout();
  const qc = useQueryClient();
  const online = useOnline();
  const fetching = useIsFetching();
  const extras = useModule(loadExtras);
  const [expired, setExpired] = useState(false);
  const waiting = useTriageCount(me.data ? isStaff(me.data) : false);
  // A 401 mid-work opens a login over the page instead of leaving it, so a half-typed reply survives.
  useEffect(() => onUnauthorized(() => setExpired(true)), []);

  if (me.isPending)
    return (
      <Center h="100vh">
        <Loader role="status" aria-label="Loading" />
      </Center>
    );
  if (!me.data) return <Navigate to="/login" state={{ from: location.pathname + location.search }} replace />;
  const staff = isStaff(me.data);
  const links: { to: string; label: string; count?: string | null }[] = staff
    ? [
        { to: '/cases', label: t('nav.queue') },
        { to: '/dashboard', label: t('nav.dashboard') },
        { to: '/alarms', label: t('nav.alarms') },
        { to: '/capacity', label: t('nav.capacity') },
        { to: '/notifications', label: t('nav.notifications') },
        { to: '/accounts', label: t('nav.accounts') },
        { to: '/sims', label: t('nav.sims') },
        { to: '/sims/import', label: t('nav.import') },
        { to: '/webhooks', label: t('webhooks.title') },
        { to: '/mail', label: t('nav.mail'), count: waiting },
        ...(me.data.role === 'admin' ? [{ to: '/admin', label: t('nav.admin') }] : []),
      ]
    : [
        { to: '/portal/sims', label: t('nav.mySims') },
        { to: '/portal/cases', label: t('nav.myCases') },
        { to: '/portal/alarms', label: t('portal.alarms.title') },
        { to: '/portal/webhooks', label: t('webhooks.title') },
      ];
  return (
    <AppShell header={{ height: 52 }} navbar={{ width: 200, breakpoint: 'sm' }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Text fw={700}>{staff ? 'iotops desk' : t('portal.title')}</Text>
          <Group gap="sm">
            {fetching > 0 && <Loader size="xs" role="status" aria-label="Updating" />}
            {/* The picker's width held while its chunk loads, so the header does not shift. */}
            {extras ? <extras.LanguagePicker /> : <div style={{ width: 80 }} />}
            <Text size="sm">{me.data.email}</Text>
            <Button size="xs" variant="default" onClick={() => void logout()}>
              {t('nav.logout')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        {links.map((l) => (
          <NavLink
            key={l.to}
            component={RouterLink}
            to={l.to}
            label={l.label}
            variant="filled"
            rightSection={
              l.count ? (
                <>
                  <Badge size="sm" variant="light" color="orange" c="dark.9" aria-hidden>
                    {l.count}
                  </Badge>
                  <VisuallyHidden>
                    {l.count} {t('nav.mailWaiting')}
                  </VisuallyHidden>
                </>
              ) : undefined
            }
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        {!online && (
          <Alert color="orange" mb="md" role="status">
            {t('common.offline')}
          </Alert>
        )}
        <CustomerView.Provider value={!staff}>
          <Outlet />
        </CustomerView.Provider>
      </AppShell.Main>
      {expired && (
        <Suspense fallback={null}>
          <ExpiredLogin
            onDone={() => {
              setExpired(false);
              void qc.invalidateQueries();
            }}
          />
        </Suspense>
      )}
    </AppShell>
  );
}
