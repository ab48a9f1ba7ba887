import { Card, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { useAfterPaint } from '../ui/useAfterPaint.ts';
import { useModule } from '../ui/useModule.ts';
import { CasePriority } from './CasePriority.tsx';
import { AffectedSims, MajorCaseChildren } from './CaseSide.tsx';
import { useAgents, useCaseSla, useUpdateCase } from './queries.ts';
import { SlaClocks } from './SlaClocks.tsx';

// Its own chunk (it brings the SIM page's actions panel): loaded after the case's header and timeline are shown.
const loadDiagnosis = () => import('./DiagnosisPanel.tsx');

/**
 * The case page's side column: details, assignment, priority, diagnosis, child cases, SLA clocks. It mounts once the
 * header and the timeline are painted (useAfterPaint): its comboboxes, its four extra queries and the diagnosis
 * panel used to double the time to an opened case.
 */
export function CaseDetails({
  k,
  staff,
  events,
}: {
  k: Schemas['Case'];
  staff: boolean;
  events: Schemas['CaseTimelineEntry'][] | undefined;
}) {
  const { t } = useI18n();
  const ready = useAfterPaint();
  const sla = useCaseSla(k.number, staff);
  const diagnosis = useModule(loadDiagnosis);
  if (!ready) return null;
  const number = k.number;
  return (
    <Stack>
      <Card withBorder>
        <Title order={2} size="h5" mb="xs">
          {t('case.details')}
        </Title>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
          {k.description || '—'}
        </Text>
        <Text size="sm" mt="xs" fw={600}>
          {t('case.sims')}: {k.affectedSimCount}
        </Text>
        <AffectedSims number={number} count={k.affectedSimCount} base={staff ? '/sims' : '/portal/sims'} />
        {k.parentCaseId != null && <Text size="sm">Part of major case #{k.parentCaseId}</Text>}
        {staff && (
          <Link to={`/accounts/${k.accountId}`}>
            <Text size="sm">
              {t('case.account')}: {k.accountName}
            </Text>
          </Link>
        )}
        {staff && <Assignment number={number} assignee={k.assigneeUserId ?? null} queue={k.queue ?? null} />}
        {staff && <CasePriority c={k} />}
      </Card>
      {staff && k.affectedSimCount > 0 && diagnosis && (
        <diagnosis.DiagnosisPanel number={number} events={events ?? []} />
      )}
      {staff && k.isMajor && <MajorCaseChildren number={number} />}
      {staff && (
        <Card withBorder>
          <Title order={2} size="h5" mb="xs">
            {t('case.sla')}
          </Title>
          <ErrorAlert error={sla.error} />
          {sla.data && <SlaClocks sla={sla.data} />}
        </Card>
      )}
    </Stack>
  );
}

/** Who works the case and in which queue (each change lands in the timeline, from → to). */
function Assignment({ number, assignee, queue }: { number: string; assignee: number | null; queue: string | null }) {
  const { t } = useI18n();
  const agents = useAgents(true);
  const update = useUpdateCase(number);
  return (
    <Stack gap={4} mt="xs">
      <Select
        label={t('case.assignee')}
        size="xs"
        placeholder={t('case.unassigned')}
        data={(agents.data?.items ?? []).map((a) => ({ value: String(a.id), label: `${a.name} (${a.role})` }))}
        value={assignee === null ? null : String(assignee)}
        onChange={(v) => update.mutate({ assigneeUserId: v === null ? null : Number(v) })}
        clearable
        searchable
      />
      <TextInput
        label={t('case.queue')}
        size="xs"
        defaultValue={queue ?? ''}
        key={queue ?? ''}
        onKeyDown={(e) => e.key === 'Enter' && update.mutate({ queue: e.currentTarget.value.trim() || null })}
        onBlur={(e) => {
          const v = e.currentTarget.value.trim() || null;
          if (v !== queue) update.mutate({ queue: v });
        }}
      />
      <ErrorAlert error={update.error} />
    </Stack>
  );
}
