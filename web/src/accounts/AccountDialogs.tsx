import { Checkbox, Group, NativeSelect, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { AdminForm, AdminModal, fieldError } from '../admin/ui.tsx';
import { api, type Schemas, unwrap } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import { LANGUAGES } from '../i18n/index.tsx';

type Account = Schemas['Account'];
type Contact = Schemas['Contact'];
const TIERS: Account['vipTier'][] = ['standard', 'silver', 'gold', 'platinum'];
const ROLES: Contact['roles'][number][] = ['primary', 'technical', 'billing', 'escalation', 'commercial'];

/** An account change refreshes the account, its lists, and the cases whose priority the VIP tier feeds. */
function useAccountChange<V, R>(id: number, fn: (v: V) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: ['accounts', id] }),
        qc.invalidateQueries({ queryKey: keys.accounts.list }),
        qc.invalidateQueries({ queryKey: keys.cases.all }),
      ]),
  });
}

/**
 * The VIP tier, staff only (the API refuses a customer, naming the field). The server recomputes the priority of
 * the account's open cases in the same transaction; the dialog says so before the save.
 */
export function VipTierDialog({
  account,
  opened,
  onClose,
}: {
  account: Account;
  opened: boolean;
  onClose: () => void;
}) {
  return (
    <AdminModal opened={opened} onClose={onClose} title={`VIP tier of ${account.name}`}>
      {/* Mounted while open: each opening starts from the tier in force. */}
      {opened && <VipTierForm account={account} onClose={onClose} />}
    </AdminModal>
  );
}

function VipTierForm({ account, onClose }: { account: Account; onClose: () => void }) {
  const [tier, setTier] = useState(account.vipTier);
  const save = useAccountChange(account.id, (vipTier: Account['vipTier']) =>
    unwrap(api.PATCH('/api/v1/accounts/{id}', { params: { path: { id: account.id } }, body: { vipTier } })),
  );
  return (
    <AdminForm
      onSubmit={() => save.mutate(tier, { onSuccess: onClose })}
      error={save.error}
      busy={save.isPending}
      submitLabel="Save tier"
      onCancel={onClose}
    >
      <NativeSelect
        label="VIP tier"
        data={TIERS}
        value={tier}
        onChange={(e) => setTier(e.currentTarget.value as Account['vipTier'])}
        error={fieldError(save.error, 'vipTier')}
      />
      <Text size="sm">The priority of this account's open cases is computed again under the new tier.</Text>
    </AdminForm>
  );
}

type Draft = { name: string; email: string; phone: string; language: string; roles: Contact['roles'] };

/** Add a contact (contact null) or edit one; the API's reasons show under each field, what was typed stays. */
export function ContactDialog({
  accountId,
  contact,
  opened,
  onClose,
}: {
  accountId: number;
  contact: Contact | null;
  opened: boolean;
  onClose: () => void;
}) {
  return (
    <AdminModal opened={opened} onClose={onClose} title={contact ? `Edit contact ${contact.name}` : 'New contact'}>
      {opened && <ContactForm key={contact?.id ?? 'new'} accountId={accountId} contact={contact} onClose={onClose} />}
    </AdminModal>
  );
}

function ContactForm({
  accountId,
  contact,
  onClose,
}: {
  accountId: number;
  contact: Contact | null;
  onClose: () => void;
}) {
  const [d, setD] = useState<Draft>({
    name: contact?.name ?? '',
    email: contact?.email ?? '',
    phone: contact?.phone ?? '',
    language: contact?.language ?? '',
    roles: contact?.roles ?? [],
  });
  const qc = useQueryClient();
  const save = useMutation({
    mutationFn: () => {
      const language = d.language ? { language: d.language as Contact['language'] } : {};
      if (!contact) {
        const body = {
          name: d.name,
          roles: d.roles,
          ...language,
          ...(d.email ? { email: d.email } : {}),
          ...(d.phone ? { phone: d.phone } : {}),
        };
        return unwrap(api.POST('/api/v1/accounts/{id}/contacts', { params: { path: { id: accountId } }, body }));
      }
      // An emptied email or phone goes as null: the API removes it (or says the contact needs one of them).
      const body = { name: d.name, roles: d.roles, ...language, email: d.email || null, phone: d.phone || null };
      return unwrap(
        api.PATCH('/api/v1/accounts/{id}/contacts/{contactId}', {
          params: { path: { id: accountId, contactId: contact.id } },
          body,
        }),
      );
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ['accounts', accountId, 'contacts'] }),
  });
  const err = save.error;
  return (
    <AdminForm
      onSubmit={() => save.mutate(undefined, { onSuccess: onClose })}
      error={err}
      busy={save.isPending}
      submitLabel={contact ? 'Save contact' : 'Add contact'}
      onCancel={onClose}
    >
      <TextInput
        label="Name"
        required
        value={d.name}
        onChange={(e) => setD({ ...d, name: e.currentTarget.value })}
        error={fieldError(err, 'name')}
      />
      <TextInput
        label="Email"
        value={d.email}
        onChange={(e) => setD({ ...d, email: e.currentTarget.value })}
        error={fieldError(err, 'email')}
      />
      <TextInput
        label="Phone"
        description="E.164, e.g. +46701234567"
        value={d.phone}
        onChange={(e) => setD({ ...d, phone: e.currentTarget.value })}
        error={fieldError(err, 'phone')}
      />
      <NativeSelect
        label="Language"
        data={[{ value: '', label: contact ? contact.language : "The account's" }, ...LANGUAGES]}
        value={d.language}
        onChange={(e) => setD({ ...d, language: e.currentTarget.value })}
        error={fieldError(err, 'language')}
      />
      <Checkbox.Group
        label="Roles"
        value={d.roles}
        onChange={(v) => setD({ ...d, roles: v as Contact['roles'] })}
        error={fieldError(err, 'roles')}
      >
        <Group mt={4}>
          {ROLES.map((r) => (
            <Checkbox key={r} value={r} label={r} />
          ))}
        </Group>
      </Checkbox.Group>
    </AdminForm>
  );
}
