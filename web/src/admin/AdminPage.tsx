import { Alert, Group, NavLink, Stack, Title } from '@mantine/core';
import type { ComponentType } from 'react';
import { Navigate, Route, NavLink as RouterLink, Routes, useLocation } from 'react-router';
import { useMe } from '../auth/session.ts';
import IngestCredentialsPage from './IngestCredentialsPage.tsx';
import LoginAuditPage from './LoginAuditPage.tsx';
import PlansPage from './PlansPage.tsx';
import PriorityMatrixPage from './PriorityMatrixPage.tsx';
import SlaPage from './SlaPage.tsx';
import TokensPage from './TokensPage.tsx';
import UsersPage from './UsersPage.tsx';
import { READABLE } from './ui.tsx';

// One chunk for all of admin: only admins load it, and they move between these screens together.
const AREAS: { path: string; label: string; Page: ComponentType }[] = [
  { path: 'users', label: 'Users', Page: UsersPage },
  { path: 'logins', label: 'Login audit', Page: LoginAuditPage },
  { path: 'tokens', label: 'API tokens', Page: TokensPage },
  { path: 'ingest', label: 'Ingest credentials', Page: IngestCredentialsPage },
  { path: 'plans', label: 'Plans', Page: PlansPage },
  { path: 'sla', label: 'SLA calendars and policies', Page: SlaPage },
  { path: 'priority-matrix', label: 'Priority matrix', Page: PriorityMatrixPage },
];

/** What an admin may change: users, tokens, producers, the plan catalog, SLAs and the priority matrix. */
export default function AdminPage() {
  const me = useMe();
  const { pathname } = useLocation();
  if (me.data && me.data.role !== 'admin')
    return (
      <Alert color="orange" role="alert" title="Admins only">
        These settings are for the provider's admins.
      </Alert>
    );
  return (
    <Stack style={READABLE}>
      <Title order={1} size="h3">
        Administration
      </Title>
      <Group component="nav" aria-label="Administration" gap={4}>
        {AREAS.map((a) => (
          <NavLink
            key={a.path}
            component={RouterLink}
            to={`/admin/${a.path}`}
            label={a.label}
            active={pathname.startsWith(`/admin/${a.path}`)}
            variant="filled"
            w="auto"
          />
        ))}
      </Group>
      <Routes>
        {AREAS.map(({ path, Page }) => (
          <Route key={path} path={`${path}/*`} element={<Page />} />
        ))}
        <Route path="*" element={<Navigate to="/admin/users" replace />} />
      </Routes>
    </Stack>
  );
}
