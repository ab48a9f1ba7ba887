import { Anchor, Button, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { EnumBadge } from './PortalBadges.tsx';
import { usePortalSims } from './queries.ts';

/**
 * The customer's own SIMs (the API answers a customer with their account's subtree only), in their language:
 * identity, lifecycle state and network state; the search and the page live in the URL.
 */
export default function PortalSimsPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams();
  const prefix = search.get('q') ?? '';
  const cursor = search.get('cursor') ?? undefined;
  const sims = usePortalSims({ prefix, cursor });
  return (
    <Stack>
      <Title order={1} size="h3">
        {t('portal.sims.title')}
      </Title>
      <TextInput
        label={t('portal.sims.search')}
        value={prefix}
        onChange={(e) => setSearch(e.currentTarget.value ? { q: e.currentTarget.value } : {}, { replace: true })}
        w={320}
      />
      <ErrorAlert error={sims.error} />
      <Table striped aria-label={t('portal.sims.title')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('portal.sims.col.iccid')}</Table.Th>
            <Table.Th>{t('portal.sims.col.msisdn')}</Table.Th>
            <Table.Th>{t('portal.sims.col.account')}</Table.Th>
            <Table.Th>{t('portal.sims.col.state')}</Table.Th>
            <Table.Th>{t('portal.sims.col.network')}</Table.Th>
            <Table.Th>{t('portal.sims.col.plan')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(sims.data?.items ?? []).map((s) => (
            // The whole row opens the SIM for the mouse; the ICCID link is the keyboard's way in.
            <Table.Tr key={s.iccid} onClick={() => navigate(`/portal/sims/${s.iccid}`)} style={{ cursor: 'pointer' }}>
              <Table.Td>
                <Anchor component={Link} to={`/portal/sims/${s.iccid}`} ff="monospace">
                  {s.iccid}
                </Anchor>
              </Table.Td>
              <Table.Td>{s.msisdn ?? '—'}</Table.Td>
              <Table.Td>{s.account.name ?? s.account.number ?? '—'}</Table.Td>
              <Table.Td>
                <EnumBadge family="simState" value={s.state} />
              </Table.Td>
              <Table.Td>
                <EnumBadge family="network" value={s.networkState} />
              </Table.Td>
              <Table.Td>{s.ratePlan?.name ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {sims.isPending && <Text>{t('common.loading')}</Text>}
      {sims.isSuccess && sims.data.items.length === 0 && <Text c="dimmed">{t('portal.sims.empty')}</Text>}
      <Group>
        {cursor && (
          <Button variant="default" onClick={() => setSearch(prefix ? { q: prefix } : {})}>
            {t('common.first')}
          </Button>
        )}
        {sims.data?.nextCursor && (
          <Button
            variant="default"
            onClick={() => setSearch({ ...(prefix ? { q: prefix } : {}), cursor: sims.data.nextCursor ?? '' })}
          >
            {t('common.next')}
          </Button>
        )}
      </Group>
    </Stack>
  );
}
