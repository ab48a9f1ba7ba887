import { Button, Group, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { Link } from 'react-router';
import { ConfirmButton, READABLE } from '../admin/ui.tsx';
import { useI18n } from '../i18n/index.tsx';
import { Badge } from '../ui/badges.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { AlarmsNav } from './AlarmsNav.tsx';
import { useDeleteRule, useRefOptions, useRules, useSetRuleEnabled } from './queries.ts';
import {
  conditionWords,
  escalationWords,
  followUpWords,
  type Rule,
  SEVERITY_COLOR,
  scheduleWords,
  scopeLines,
} from './rule-words.ts';

const KIND_COLOR: Record<Rule['kind'], string> = {
  silence: 'blue',
  refusal_burst: 'orange',
  usage_drop: 'teal',
  usage_drift: 'cyan',
  telemetry_threshold: 'lime',
  fleet_refusals: 'grape',
};

/**
 * The alarm rules (issues 17, 17.1): of each kind, which SIMs (or networks and APNs) each governs, when it alarms,
 * how loud, and when. Kinds do not compete: a SIM follows the most specific enabled rule of each kind that takes it
 * in; none taking it in, that kind's built-in rule where there is one.
 */
export default function RulesPage() {
  const { t, dateTime } = useI18n();
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
          Each kind applies on its own: a SIM follows the most specific enabled rule of the kind whose scope takes it in
          (the one with more fields set; of equals, the older). A SIM no silence rule takes in keeps the built-in
          silence rule; refusal bursts, usage drops and drifts are alarmed only where a rule takes the SIM in; fleet
          alarms are built in for every network and APN (critical), and a fleet rule sets them for those it takes in.
          Telemetry rules apply per metric: a device's metric follows the most specific rule of that metric taking the
          device in. Changes apply at the next check.
        </Text>
        <Button component={Link} to="/alarms/rules/new">
          New rule
        </Button>
      </Group>
      <ErrorAlert error={rules.error ?? enable.error} />
      {rules.isSuccess && items.length === 0 && (
        <Text c="dimmed">
          No rule yet: every SIM follows the built-in silence rule, and every network and APN the built-in fleet rule.
        </Text>
      )}
      {items.length > 0 && (
        <Table striped aria-label="Alarm rules" verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>{t('alarms.rules.col.kind')}</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Takes in</Table.Th>
              <Table.Th>{t('alarms.rules.col.when')}</Table.Th>
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
                  <Badge color={KIND_COLOR[r.kind]}>{t(`alarms.kind.${r.kind}`)}</Badge>
                </Table.Td>
                <Table.Td>
                  <Badge color={r.enabled ? 'green' : 'gray'}>{r.enabled ? 'enabled' : 'disabled'}</Badge>
                  {r.lastError && (
                    <Text size="xs" c="red.9" maw={220}>
                      {t('alarms.rules.failed')} {dateTime(r.failedAt)}: {r.lastError}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Scope rule={r} names={names} />
                </Table.Td>
                <Table.Td>
                  <Condition rule={r} />
                </Table.Td>
                <Table.Td>
                  <Badge color={SEVERITY_COLOR[r.severity]}>{r.severity}</Badge>
                </Table.Td>
                <Table.Td>
                  {escalationWords(r.escalation, r.kind)}
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

function Condition({ rule }: { rule: Rule }) {
  const w = conditionWords(rule);
  return (
    <>
      {w.main}
      <Text size="xs" c="dimmed">
        {w.more}
      </Text>
    </>
  );
}

function Scope({ rule, names }: { rule: Rule; names: ReturnType<typeof useRefOptions>['names'] }) {
  const { t } = useI18n();
  const lines = scopeLines(rule.scope, names);
  if (lines.length === 0)
    return (
      <Text size="sm">
        {t(
          rule.kind === 'fleet_refusals'
            ? 'alarms.rules.everyPlace'
            : rule.kind === 'telemetry_threshold'
              ? 'alarms.rules.everyDevice'
              : 'alarms.rules.everySim',
        )}
      </Text>
    );
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
