import { Alert, List, Text } from '@mantine/core';
import { useQueries } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';

/**
 * Who a reply by e-mail reaches: the case's contacts with an address, each in the language the desk mails them in,
 * or a warning when none has one (the reply is still kept in the timeline). The case answers its contacts without
 * their language, so it is read from their accounts' contact lists (the same query the account page uses).
 */
export function MailRecipients({ contacts }: { contacts: Schemas['CaseContact'][] }) {
  const { t, languageName } = useI18n();
  const mailed = contacts.filter((c) => c.email);
  const accountIds = [...new Set(mailed.map((c) => c.accountId))];
  const lists = useQueries({
    queries: accountIds.map((id) => ({
      queryKey: ['accounts', id, 'contacts'],
      queryFn: () => unwrap(api.GET('/api/v1/accounts/{id}/contacts', { params: { path: { id } } })),
      staleTime: 60_000,
    })),
  });
  const full = new Map(lists.flatMap((q) => q.data?.items ?? []).map((c) => [c.id, c]));
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
        {mailed.map((c) => {
          const k = full.get(c.id);
          return (
            <List.Item key={c.id}>
              {c.name} &lt;{c.email}&gt;
              {k && ` — ${languageName(k.language)}`}
              {k?.emailBouncedAt && ` (${t('case.mailBounced')})`}
            </List.Item>
          );
        })}
      </List>
    </div>
  );
}
