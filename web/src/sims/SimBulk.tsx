import { Alert, Button, Checkbox, Group, List, Modal, Select, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import {
  apiFilter,
  type BulkRequest,
  type SimListParams,
  useBulkChange,
  usePlanChoices,
  useSimCount,
} from './queries.ts';

const STATES = ['INVENTORY', 'TEST_READY', 'ACTIVATION_READY', 'ACTIVATED', 'DEACTIVATED', 'RETIRED', 'PURGED'];
type Result = Schemas['BulkSimChangeResult'];

/**
 * Bulk state or plan change from the SIM list (staff): the selected rows, or every SIM matching the list's filter.
 * "Review" asks the API for a dry run; the confirmation is built from it (how many change, which rule refuses which
 * SIMs), and "Apply" sends the same request for real, changing the SIMs that can change (skipRejected).
 */
export function BulkBar({
  params,
  selected,
  allMatching,
  onAllMatching,
  onDone,
}: {
  params: SimListParams;
  selected: string[];
  allMatching: boolean;
  onAllMatching: (v: boolean) => void;
  onDone: () => void;
}) {
  const { t, number } = useI18n();
  const plans = usePlanChoices();
  const matching = useSimCount(params, allMatching);
  const [state, setState] = useState<string | null>(null);
  const [commPlan, setCommPlan] = useState<string | null>(null);
  const [ratePlan, setRatePlan] = useState<string | null>(null);
  const [request, setRequest] = useState<BulkRequest | null>(null);
  const [applied, setApplied] = useState<Result | null>(null);
  const dryRun = useBulkChange();
  const apply = useBulkChange();

  const change = (): BulkRequest['change'] | null =>
    state
      ? { state: state as Schemas['Sim']['state'] }
      : commPlan || ratePlan
        ? {
            ...(commPlan ? { communicationPlanId: Number(commPlan) } : {}),
            ...(ratePlan ? { ratePlanId: Number(ratePlan) } : {}),
          }
        : null;
  const selection: BulkRequest['selection'] | null = allMatching
    ? { filter: apiFilter(params) as Schemas['SimFilterInput'] }
    : selected.length > 0
      ? { iccids: selected }
      : null;
  const c = change();

  const review = () => {
    if (!c || !selection) return;
    const body: BulkRequest = { selection, change: c, dryRun: true, skipRejected: true };
    setApplied(null);
    setRequest(body);
    dryRun.mutate(body);
  };
  const confirm = () => {
    if (!request) return;
    apply.mutate(
      { ...request, dryRun: false },
      {
        onSuccess: (r) => {
          setApplied(r);
          setRequest(null);
          onDone();
        },
      },
    );
  };
  const close = () => {
    setRequest(null);
    dryRun.reset();
    apply.reset();
  };
  const plan = (items: { id: number; name: string }[] | undefined) =>
    (items ?? []).map((p) => ({ value: String(p.id), label: p.name }));
  const r = dryRun.data;

  return (
    <Stack gap="xs">
      <Group align="end">
        <Text size="sm" aria-live="polite">
          {`${allMatching ? (matching.data ? number(matching.data.count) : '…') : number(selected.length)} ${t('sims.bulk.selected')}`}
        </Text>
        <Checkbox
          label={t('sims.select.all')}
          checked={allMatching}
          onChange={(e) => onAllMatching(e.currentTarget.checked)}
        />
        <Select label={t('sims.bulk.newState')} data={STATES} value={state} onChange={setState} clearable w={190} />
        <Select
          label={t('sims.bulk.commPlan')}
          data={plan(plans.data?.communication)}
          value={commPlan}
          onChange={setCommPlan}
          disabled={!!state}
          clearable
          searchable
          w={200}
        />
        <Select
          label={t('sims.bulk.ratePlan')}
          data={plan(plans.data?.rate)}
          value={ratePlan}
          onChange={setRatePlan}
          disabled={!!state}
          clearable
          searchable
          w={200}
        />
        <Button onClick={review} disabled={!c || !selection} loading={dryRun.isPending}>
          {t('sims.bulk.review')}
        </Button>
      </Group>
      {applied && (
        <Alert color="teal" role="status" withCloseButton onClose={() => setApplied(null)} closeButtonLabel="Close">
          {number(applied.changed)} {t('sims.bulk.done')}
          {applied.rejectedCount > 0 ? ` · ${number(applied.rejectedCount)} ${t('sims.bulk.refused')}` : ''}
        </Alert>
      )}
      <Modal
        opened={request !== null}
        onClose={close}
        title={t('sims.bulk.confirmTitle')}
        size="lg"
        closeButtonProps={{ 'aria-label': t('sims.bulk.cancel') }}
      >
        <Stack>
          <ErrorAlert error={dryRun.error ?? apply.error} />
          {!r && !dryRun.error && <Text>{t('common.loading')}</Text>}
          {r && <DryRun r={r} />}
          <Group justify="end">
            <Button variant="default" onClick={close}>
              {t('sims.bulk.cancel')}
            </Button>
            <Button onClick={confirm} disabled={!r || r.wouldChange === 0} loading={apply.isPending}>
              {`${t('sims.bulk.apply')} ${number(r?.wouldChange ?? 0)} SIMs`}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

/** What the dry run says: counts, then each refusal reason with its count and a few ICCIDs. */
function DryRun({ r }: { r: Result }) {
  const { t, number } = useI18n();
  return (
    <Stack gap="xs">
      <Text fw={600}>
        {number(r.wouldChange)} {t('sims.bulk.willChange')}
      </Text>
      <Text size="sm">
        {number(r.matched)} {t('sims.bulk.matched')} · {number(r.unchanged)} {t('sims.bulk.unchanged')} ·{' '}
        {number(r.rejectedCount)} {t('sims.bulk.refused')}
      </Text>
      {r.rejectedByReason.length > 0 && (
        <List size="sm" aria-label={t('sims.bulk.refused')}>
          {r.rejectedByReason.map((g) => (
            <List.Item key={g.reason}>
              {g.reason}: {number(g.count)} ({t('sims.bulk.examples')} {g.examples.join(', ')})
            </List.Item>
          ))}
        </List>
      )}
      {r.wouldChange === 0 && <Text c="dimmed">{t('sims.bulk.nothing')}</Text>}
    </Stack>
  );
}
