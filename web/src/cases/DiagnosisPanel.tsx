import { Badge, Button, Card, Group, Select, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Schemas } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import { useI18n } from '../i18n/index.tsx';
import { useActions, useRequestAction } from '../sims/queries.ts';
import { ActionsPanel } from '../sims/SimActivity.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { RerunDiagnosis } from './CaseSide.tsx';
import { type DiagCheck, type DiagSim, evidenceLine, LAYER_ORDER, latestDiagnosis, worst } from './diagnosis.ts';

// Light tints with dark text: the verdict reads by colour and by word, and keeps AA contrast.
const VERDICT_COLOR: Record<string, string> = { ok: 'teal', warning: 'yellow', error: 'red', unknown: 'gray' };
const LAYER_LABEL: Record<string, string> = {
  identity: 'SIM and identity',
  provisioning: 'Subscription and provisioning',
  policy: 'Plan, roaming and limits',
  registration: 'Radio and registration',
  data_session: 'Data session and APN',
  services: 'Services (SMS, voice)',
  activity: 'Device activity and usage',
};

export const VerdictBadge = ({ v }: { v: string }) => (
  <Badge size="sm" variant="light" c="dark.9" color={VERDICT_COLOR[v] ?? 'gray'}>
    {v}
  </Badge>
);

/**
 * The case's latest diagnosis (the newest diagnosis entry of its timeline) as the engine saw it: per SIM the root
 * cause on top with the fix and its one-click network action, then each layer with its verdict, checks, evidence
 * and fixes. The action is requested with the case number, so its request and outcome land in the timeline too.
 */
export function DiagnosisPanel({ number, events }: { number: string; events: Schemas['CaseTimelineEntry'][] }) {
  const { t, dateTime } = useI18n();
  const latest = latestDiagnosis(events);
  const sims = latest?.sims ?? [];
  const firstFailing = sims.find((s) => s.verdict !== 'ok')?.iccid ?? sims[0]?.iccid ?? null;
  const [picked, setPicked] = useState<string | null>(null);
  const sim = sims.find((s) => s.iccid === (picked ?? firstFailing));
  return (
    <Card withBorder aria-labelledby="diagnosis-title">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h5" id="diagnosis-title">
          {t('case.diagnosis')}
        </Title>
        {latest && (
          <Text size="xs" c="dimmed">
            {dateTime(latest.at)}
          </Text>
        )}
      </Group>
      <Stack gap="xs">
        <RerunDiagnosis number={number} />
        {!latest && <Text size="sm">{t('case.diagnosis.none')}</Text>}
        {latest?.aggregate && (
          <Stack gap={2}>
            <Text size="sm">{t('case.diagnosis.aggregate')}</Text>
            {Object.entries(latest.byRootCause).map(([code, n]) => (
              <Text size="sm" key={code}>
                {code.replace(/_/g, ' ')}: {n}
              </Text>
            ))}
          </Stack>
        )}
        {sims.length > 1 && (
          <Select
            label={t('case.diagnosis.sim')}
            size="xs"
            data={sims.map((s) => ({ value: s.iccid, label: `${s.iccid} — ${s.rootCause.replace(/_/g, ' ')}` }))}
            value={sim?.iccid ?? null}
            onChange={setPicked}
            allowDeselect={false}
          />
        )}
        {sim && <SimDiagnosis number={number} sim={sim} />}
      </Stack>
    </Card>
  );
}

function SimDiagnosis({ number, sim }: { number: string; sim: DiagSim }) {
  const { t } = useI18n();
  const layers = LAYER_ORDER.map((layer) => ({ layer, checks: (sim.checks ?? []).filter((c) => c.layer === layer) }));
  return (
    <Stack gap="xs" data-testid="diagnosis-layers">
      <Stack gap={4} p="xs" bg="gray.0" aria-label={t('sim.rootCause')} role="group">
        <Group gap="xs">
          <VerdictBadge v={sim.verdict} />
          <Text fw={700} size="sm">
            {t('sim.rootCause')}: {sim.rootCause.replace(/_/g, ' ')}
          </Text>
          {sim.confidence && (
            <Text size="xs" c="dimmed">
              ({sim.confidence})
            </Text>
          )}
        </Group>
        <Text size="sm">{sim.summary}</Text>
        {sim.fix && (
          <Text size="sm">
            {t('sim.fix')}: {sim.fix}
          </Text>
        )}
        {sim.action && <ProposedAction number={number} iccid={sim.iccid} sim={sim} />}
      </Stack>
      {!sim.checks && <Text size="sm">{t('case.diagnosis.noLayers')}</Text>}
      {layers
        .filter((l) => l.checks.length > 0)
        .map((l) => (
          <LayerView key={l.layer} layer={l.layer} checks={l.checks} />
        ))}
    </Stack>
  );
}

function LayerView({ layer, checks }: { layer: string; checks: DiagCheck[] }) {
  const { t } = useI18n();
  return (
    <section aria-label={LAYER_LABEL[layer] ?? layer}>
      <Group gap="xs">
        <VerdictBadge v={worst(checks)} />
        <Text size="sm" fw={600}>
          {LAYER_LABEL[layer] ?? layer}
        </Text>
      </Group>
      <Stack gap={2} pl="md" mt={2}>
        {checks.map((c) => (
          <div key={c.check}>
            <Text size="sm">
              <VerdictBadge v={c.verdict} /> {c.title} — {c.detail}
            </Text>
            {/* Evidence lines are distinct (the engine groups alike events), so the text is the key. */}
            {c.evidence.map(evidenceLine).map((line) => (
              <Text size="xs" ff="monospace" c="dimmed" pl="md" key={line}>
                {line}
              </Text>
            ))}
            {c.evidenceCount > c.evidence.length && (
              <Text size="xs" c="dimmed" pl="md">
                … {c.evidenceCount - c.evidence.length} {t('case.diagnosis.moreEvidence')}
              </Text>
            )}
            {c.fix && (
              <Text size="xs" pl="md">
                {t('sim.fix')}: {c.fix}
              </Text>
            )}
          </div>
        ))}
      </Stack>
    </section>
  );
}

/**
 * The root cause's network action in one click (the SIM page's request, run with the case number), and the SIM's
 * actions with their outcome below (the SIM page's own panel). When an outcome comes in, the timeline is read again:
 * the worker wrote it there in the same transaction.
 */
function ProposedAction({ number, iccid, sim }: { number: string; iccid: string; sim: DiagSim }) {
  const qc = useQueryClient();
  const request = useRequestAction(iccid);
  const actions = useActions(iccid);
  const settled = (actions.data?.items ?? []).filter((a) => a.status !== 'requested').length;
  useEffect(() => {
    if (settled > 0) void qc.invalidateQueries({ queryKey: keys.cases.events(number) });
  }, [settled, number, qc]);
  const action = sim.action!;
  return (
    <Stack gap={4}>
      <Group>
        <Button
          size="xs"
          color="teal.9"
          loading={request.isPending}
          onClick={() =>
            request.mutate(
              // The diagnosis' action body is the actions API's own shape (checked server-side).
              {
                ...action,
                caseNumber: number,
                reference: `diagnosis:${sim.check ?? sim.rootCause}`,
              } as Schemas['NetworkActionRequestInput'],
              { onSuccess: () => qc.invalidateQueries({ queryKey: keys.cases.events(number) }) },
            )
          }
        >
          Apply the fix: {action.kind.replace(/_/g, ' ')}
          {typeof action.params?.apn === 'string' ? ` (${action.params.apn})` : ''}
        </Button>
      </Group>
      <ErrorAlert error={request.error} />
      <ActionsPanel iccid={iccid} caseNumber={number} />
    </Stack>
  );
}
