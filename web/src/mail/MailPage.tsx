import { Stack, Tabs, Title } from '@mantine/core';
import { useLocation, useNavigate } from 'react-router';
import { READABLE } from '../admin/ui.tsx';
import { useI18n } from '../i18n/index.tsx';
import OutboxTab from './OutboxTab.tsx';
import TemplatesTab from './TemplatesTab.tsx';
import TriageTab from './TriageTab.tsx';

// The tabs are addresses (/mail, /mail/outbox, /mail/templates): a tab can be linked, and Back goes to the last one.
const TABS = [
  { value: 'triage', path: '/mail' },
  { value: 'outbox', path: '/mail/outbox' },
  { value: 'templates', path: '/mail/templates' },
] as const;

/** The desk's mailbox for staff: mail waiting in triage, the outgoing mail, and the words of the mail it sends. */
export default function MailPage() {
  const { t } = useI18n();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const tab = TABS.find((x) => x.path !== '/mail' && pathname.startsWith(x.path))?.value ?? 'triage';
  return (
    <Stack style={READABLE}>
      <Title order={1} size="h3">
        {t('mail.title')}
      </Title>
      <Tabs
        value={tab}
        onChange={(v) => {
          const to = TABS.find((x) => x.value === v);
          if (to && to.value !== tab) void navigate(to.path);
        }}
        keepMounted={false}
      >
        <Tabs.List aria-label={t('mail.title')}>
          <Tabs.Tab value="triage">{t('mail.tab.triage')}</Tabs.Tab>
          <Tabs.Tab value="outbox">{t('mail.tab.outbox')}</Tabs.Tab>
          <Tabs.Tab value="templates">{t('mail.tab.templates')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="triage" pt="md">
          <TriageTab />
        </Tabs.Panel>
        <Tabs.Panel value="outbox" pt="md">
          <OutboxTab />
        </Tabs.Panel>
        <Tabs.Panel value="templates" pt="md">
          <TemplatesTab />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
