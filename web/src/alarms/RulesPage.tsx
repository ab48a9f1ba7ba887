import { Button, Group, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { Link } from 'react-router';
import { ConfirmButton, READABLE } from '../admin/ui.tsx';
import { Badge } from '../ui/badges.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { AlarmsNav } from './AlarmsNav.tsx';
import { useDeleteRule, useRefOptions, useRules, useSetRuleEnabled } from './queries.ts';
import {
  duration,
  escalationWords,
  followUpWords,
  type Rule,
  SEVERITY_COLOR,
  scheduleWords,
  scopeLines,
  thresholdWords,
} from './rule-words.ts';

/**
 * The alarm rules (issue 17): which SIMs each governs, when their silence becomes news, how loud, and when. A SIM
 * follows the most specific enabled rule that takes it in; none taking it in, the built-in rule.
 */
export default function RulesPage() {
  const rules = useRules();
  const { names } = useRefOptions();
  const enable = useSetRuleEnabled();
  const items = rules.data?.items ?? [];
  return (
    <Stack style={READABLE}>
      <Title order={1} size="h3">
        Alarms
      </Title>
      <AlarmsNav />
      <Group justify="space-between" align="flex-start">
        <Text size="sm" c="dimmed" maw={760}>
          A SIM follows the most specific enabled rule whose scope takes it in (the one with more fields set; of equals,
          the older). A SIM no rule takes in keeps the built-in silence rule. Changes apply at each SIM's next check.
        </Text>
        <Button component={Link} to="/alarms/rules/new">
          New rule
        </Button>
      </Group>
      <ErrorAlert error={rules.error ?? enable.error} />
      {rules.isSuccess && items.length === 0 && (
        <Text c="dimmed">No rule yet: every SIM follows the built-in silence rule.</Text>
      )}
      {items.length > 0 && (
        <Table striped aria-label="Alarm rules" verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Which SIMs</Table.Th>
              <Table.Th>Alarmed after</Table.Th>
              <Table.Th>Severity</Table.Th>
              <Table.Th>Escalation, follow-up</Table.Th>
              <Table.Th>When</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td fw={600}>{r.name}</Table.Td>
                <Table.Td>
                  <Badge color={r.enabled ? 'green' : 'gray'}>{r.enabled ? 'enabled' : 'disabled'}</Badge>
                </Table.Td>
                <Table.Td>
                  <Scope rule={r} names={names} />
                </Table.Td>
                <Table.Td>
                  {thresholdWords(r.params)}
                  <Text size="xs" c="dimmed">
                    without a rhythm: {duration(r.params.noRhythmMinutes)}; learned over {r.params.learnWeeks}{' '}
                    {r.params.learnWeeks === 1 ? 'week' : 'weeks'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge color={SEVERITY_COLOR[r.severity]}>{r.severity}</Badge>
                </Table.Td>
                <Table.Td>
                  {escalationWords(r.escalation)}
                  {followUpWords(r).map((w) => (
                    <Text key={w} size="xs" c="dimmed">
                      {w}
                    </Text>
                  ))}
                </Table.Td>
                <Table.Td>{scheduleWords(r.schedule)}</Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Button
                      size="compact-sm"
                      variant="default"
                      component={Link}
                      to={`/alarms/rules/${r.id}`}
                      aria-label={`Edit ${r.name}`}
                    >
                      Edit
                    </Button>
                    <Button
                      size="compact-sm"
                      variant="default"
                      aria-label={`${r.enabled ? 'Disable' : 'Enable'} ${r.name}`}
                      loading={enable.isPending && enable.variables?.id === r.id}
                      onClick={() => enable.mutate({ id: r.id, enabled: !r.enabled })}
                    >
                      {r.enabled ? 'Disable' : 'Enable'}
                    </Button>
                    <DeleteRule rule={r} />
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function Scope({ rule, names }: { rule: Rule; names: ReturnType<typeof useRefOptions>['names'] }) {
  const lines = scopeLines(rule.scope, names);
  if (lines.length === 0) return <Text size="sm">Every SIM</Text>;
  return (
    <Stack gap={2}>
      {lines.map((l) => (
        <Text key={l.label} size="sm">
          <Text span c="dimmed" size="sm">
            {l.label}:
          </Text>{' '}
          {l.text}
        </Text>
      ))}
    </Stack>
  );
}

/** Its alarms stay; its SIMs move to the next rule that takes them in (or the built-in) at their next check. */
function DeleteRule({ rule }: { rule: Rule }) {
  const del = useDeleteRule();
  return (
    <ConfirmButton
      label="Delete"
      ariaLabel={`Delete ${rule.name}`}
      title={`Delete the rule ${rule.name}?`}
      confirmLabel="Delete"
      onConfirm={() => del.mutateAsync(rule.id)}
    >
      <Text size="sm">
        Its SIMs come under the next rule that takes them in, or the built-in one, at their next check. The alarms it
        raised stay.
      </Text>
    </ConfirmButton>
  );
}
