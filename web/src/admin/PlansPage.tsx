import { Badge, Button, Group, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import type { Schemas } from '../api/client.ts';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { CommunicationPlanForm } from './CommunicationPlanForm.tsx';
import { PlanImportDialog } from './PlanImportDialog.tsx';
import { useAccountOptions, useCommunicationPlans, useDeletePlan, useRatePlans } from './queries.ts';
import { RatePlanForm } from './RatePlanForm.tsx';
import { AdminModal, ConfirmButton } from './ui.tsx';

type CommunicationPlan = Schemas['CommunicationPlan'];
type RatePlan = Schemas['RatePlan'];
// Which form is open: a new plan (null) or the plan being edited.
type Editing = { kind: 'communication'; plan: CommunicationPlan | null } | { kind: 'rate'; plan: RatePlan | null };

function useOwnerName() {
  const accounts = useAccountOptions();
  const names = new Map((accounts.data ?? []).map((a) => [Number(a.value), a.label]));
  return (accountId: number | null) =>
    accountId === null ? (
      <Badge variant="light" c="dark.9" color="gray">
        shared
      </Badge>
    ) : (
      (names.get(accountId) ?? `account #${accountId}`)
    );
}

const more = (page: { nextCursor: string | null } | undefined) =>
  page?.nextCursor ? <Text c="dimmed">The first 500 are shown; narrow by account on the account's page.</Text> : null;

/** The catalog the SIMs are provisioned on: communication plans (network access) and rate plans (price). */
export default function PlansPage() {
  const comm = useCommunicationPlans();
  const rate = useRatePlans();
  const owner = useOwnerName();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [importing, setImporting] = useState(false);
  const close = () => setEditing(null);

  return (
    <Stack gap="xl">
      <PlanImportDialog opened={importing} onClose={() => setImporting(false)} />
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h4">
            Communication plans
          </Title>
          <Group>
            <Button variant="default" onClick={() => setImporting(true)}>
              Import plans
            </Button>
            <Button onClick={() => setEditing({ kind: 'communication', plan: null })}>New communication plan</Button>
          </Group>
        </Group>
        <ErrorAlert error={comm.error} />
        <Table striped aria-label="Communication plans">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Owner</Table.Th>
              <Table.Th>APNs</Table.Th>
              <Table.Th>Services</Table.Th>
              <Table.Th>Radio</Table.Th>
              <Table.Th>Roaming</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(comm.data?.items ?? []).map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>{p.name}</Table.Td>
                <Table.Td>{owner(p.accountId)}</Table.Td>
                <Table.Td ff="monospace">{p.apns.join(', ') || '—'}</Table.Td>
                <Table.Td>
                  {(Object.keys(p.services) as (keyof typeof p.services)[]).filter((s) => p.services[s]).join(', ') ||
                    '—'}
                </Table.Td>
                <Table.Td>
                  {p.allowedRats.join(', ')}
                  {p.imeiLock ? ' · IMEI lock' : ''}
                </Table.Td>
                <Table.Td>
                  {[...p.roamingZones.map((z) => z.replace(/_/g, ' ')), ...p.roamingPlmns].join(', ') || 'none'}
                </Table.Td>
                <Table.Td>
                  <Button
                    size="compact-sm"
                    variant="default"
                    aria-label={`Edit ${p.name}`}
                    onClick={() => setEditing({ kind: 'communication', plan: p })}
                  >
                    Edit
                  </Button>
                  <DeletePlan kind="communication" plan={p} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {more(comm.data)}
      </Stack>

      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h4">
            Rate plans
          </Title>
          <Button onClick={() => setEditing({ kind: 'rate', plan: null })}>New rate plan</Button>
        </Group>
        <ErrorAlert error={rate.error} />
        <Table striped aria-label="Rate plans">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Owner</Table.Th>
              <Table.Th>Monthly fee</Table.Th>
              <Table.Th>Included</Table.Th>
              <Table.Th>Overage</Table.Th>
              <Table.Th>Test period</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(rate.data?.items ?? []).map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>{p.name}</Table.Td>
                <Table.Td>{owner(p.accountId)}</Table.Td>
                <Table.Td>
                  {p.monthlyFee} {p.currency}
                </Table.Td>
                <Table.Td>
                  {p.included.dataMb} MB · {p.included.sms} SMS · {p.included.voiceMin} min
                  {p.pooling === 'pooled' ? ' (pooled)' : ''}
                </Table.Td>
                <Table.Td>
                  {p.overage.dataPerMb}/MB · {p.overage.smsEach}/SMS · {p.overage.voicePerMin}/min; data past the
                  allowance:{' '}
                  {p.overage.action === 'throttle'
                    ? `throttled to ${p.overage.throttleKbps} kbit/s`
                    : p.overage.action === 'block'
                      ? 'blocked'
                      : 'charged'}
                </Table.Td>
                <Table.Td>
                  {p.testReady.dataMb} MB · {p.testReady.sms} SMS · {p.testReady.days} days
                </Table.Td>
                <Table.Td>
                  <Button
                    size="compact-sm"
                    variant="default"
                    aria-label={`Edit ${p.name}`}
                    onClick={() => setEditing({ kind: 'rate', plan: p })}
                  >
                    Edit
                  </Button>
                  <DeletePlan kind="rate" plan={p} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {more(rate.data)}
      </Stack>

      <AdminModal
        opened={editing !== null}
        onClose={close}
        size="xl"
        title={
          editing
            ? `${editing.plan ? `Edit ${editing.plan.name}` : 'New'} (${editing.kind === 'rate' ? 'rate' : 'communication'} plan)`
            : ''
        }
      >
        {editing?.kind === 'communication' && <CommunicationPlanForm plan={editing.plan} onDone={close} />}
        {editing?.kind === 'rate' && <RatePlanForm plan={editing.plan} onDone={close} />}
      </AdminModal>
    </Stack>
  );
}

/** Delete behind a confirmation; a plan SIMs still hold is refused, and the API's 409 says how many. */
function DeletePlan({ kind, plan }: { kind: 'communication' | 'rate'; plan: { id: number; name: string } }) {
  const del = useDeletePlan();
  return (
    <ConfirmButton
      label="Delete"
      ariaLabel={`Delete ${plan.name}`}
      title={`Delete the ${kind} plan ${plan.name}?`}
      confirmLabel="Delete"
      onConfirm={() => del.mutateAsync({ kind, id: plan.id })}
    >
      <Text size="sm">Only a plan no SIM holds can be deleted: move its SIMs to another plan first.</Text>
    </ConfirmButton>
  );
}
