import { Badge, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';

/** The customers: enterprises and their sub-accounts, searchable by name or number. */
export default function AccountsPage() {
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams();
  const q = search.get('q') ?? '';
  const list = useQuery({
    queryKey: ['accounts', 'list', q],
    queryFn: () => unwrap(api.GET('/api/v1/accounts', { params: { query: { limit: 200, ...(q ? { q } : {}) } } })),
    placeholderData: keepPreviousData,
  });
  return (
    <Stack>
      <Title order={1} size="h3">
        Accounts
      </Title>
      <TextInput
        label="Name or number contains"
        defaultValue={q}
        w={320}
        onKeyDown={(e) =>
          e.key === 'Enter' && setSearch(e.currentTarget.value.trim() ? { q: e.currentTarget.value.trim() } : {})
        }
      />
      <ErrorAlert error={list.error} />
      <Table striped highlightOnHover aria-label="Accounts">
        <Table.Tbody>
          {(list.data?.items ?? []).map((a) => (
            <Table.Tr key={a.id} onClick={() => navigate(`/accounts/${a.id}`)} style={{ cursor: 'pointer' }}>
              <Table.Td style={{ paddingLeft: 12 + a.depth * 20 }}>
                <a href={`/accounts/${a.id}`} onClick={(e) => e.preventDefault()}>
                  {a.name}
                </a>
              </Table.Td>
              <Table.Td ff="monospace">{a.number}</Table.Td>
              <Table.Td>{a.kind.replace(/_/g, ' ')}</Table.Td>
              <Table.Td>
                {a.vipTier !== 'standard' && (
                  <Badge variant="light" c="dark.9" color="yellow">
                    {a.vipTier}
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>
                {a.language} · {a.timeZone}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {list.isSuccess && list.data.items.length === 0 && <Text c="dimmed">No account matches.</Text>}
    </Stack>
  );
}
