import { Group, NavLink } from '@mantine/core';
import { NavLink as RouterLink, useLocation } from 'react-router';
import { useI18n } from '../i18n/index.tsx';

/** The alarms area's two screens as addresses (/alarms, /alarms/rules), as the admin area links its own. */
export function AlarmsNav() {
  const { t } = useI18n();
  const { pathname } = useLocation();
  const rules = pathname.startsWith('/alarms/rules');
  return (
    <Group component="nav" aria-label={t('nav.alarms')} gap={4}>
      <NavLink
        component={RouterLink}
        to="/alarms"
        end
        label={t('alarms.tab.alarms')}
        active={!rules}
        variant="filled"
        w="auto"
      />
      <NavLink
        component={RouterLink}
        to="/alarms/rules"
        label={t('alarms.tab.rules')}
        active={rules}
        variant="filled"
        w="auto"
      />
    </Group>
  );
}
