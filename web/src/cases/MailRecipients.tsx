import { Alert, List, Text } from '@mantine/core';
import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';

/**
 * Who a reply by e-mail reaches: the case's contacts with an address, each in the language the desk mails them in
 * (and whether the address bounced for good: nothing more goes to it), or a warning when none has one (the reply is
 * still kept in the timeline).
 */
export function MailRecipients({ contacts }: { contacts: Schemas['CaseContact'][] }) {
  const { t, languageName } = useI18n();
  const mailed = contacts.filter((c) => c.email);
  if (mailed.length === 0)
    return (
      <Alert color="orange" role="status" c="dark.9" p="xs">
        {t('case.mailNobody')}
      </Alert>
    );
  return (
    <div role="status">
      <Text size="sm" fw={600}>
        {t('case.mailTo')}
      </Text>
      <List size="sm">
        {mailed.map((c) => (
          <List.Item key={c.id}>
            {c.name} &lt;{c.email}&gt; — {languageName(c.language)}
            {c.emailBouncedAt && ` (${t('case.mailBounced')})`}
          </List.Item>
        ))}
      </List>
    </div>
  );
}
