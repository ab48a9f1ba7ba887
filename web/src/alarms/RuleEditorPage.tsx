import { Anchor, Loader, Stack, Text, Title } from '@mantine/core';
import { Link, useNavigate, useParams } from 'react-router';
import { READABLE } from '../admin/ui.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { AlarmsNav } from './AlarmsNav.tsx';
import { useRule } from './queries.ts';
import { RuleForm } from './RuleForm.tsx';

/**
 * A rule's editor on its own address (/alarms/rules/new, /alarms/rules/:id): a page rather than a dialog, since the
 * backtest's answer (per day, and the SIMs it fired on) needs the room, and the user reads it before saving.
 */
export default function RuleEditorPage() {
  const { id } = useParams();
  const navigate = useNavigate();
  const done = () => void navigate('/alarms/rules');
  const ruleId = id === undefined || id === 'new' ? null : Number(id);
  return (
    <Stack style={READABLE}>
      <Title order={1} size="h3">
        Alarms
      </Title>
      <AlarmsNav />
      <Anchor component={Link} to="/alarms/rules" size="sm">
        ← All rules
      </Anchor>
      {ruleId === null ? (
        <>
          <Title order={2} size="h4">
            New alarm rule
          </Title>
          <RuleForm rule={null} onDone={done} />
        </>
      ) : (
        <SavedRule id={ruleId} onDone={done} />
      )}
    </Stack>
  );
}

function SavedRule({ id, onDone }: { id: number; onDone: () => void }) {
  const rule = useRule(id);
  if (rule.isPending) return <Loader role="status" aria-label="Loading the rule" />;
  if (!rule.data) return <ErrorAlert error={rule.error} />;
  return (
    <>
      <Title order={2} size="h4">
        Edit {rule.data.name}
      </Title>
      <Text size="sm" c="dimmed">
        Saved changes apply to its SIMs at their next check.
      </Text>
      {/* Keyed by the rule, so another rule's address starts the form afresh. */}
      <RuleForm key={rule.data.id} rule={rule.data} onDone={onDone} />
    </>
  );
}
