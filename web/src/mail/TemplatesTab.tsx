import { Alert, Button, Code, Group, List, NativeSelect, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { fieldError } from '../admin/ui.tsx';
import { useMe } from '../auth/session.ts';
import { LANGUAGES, useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/ErrorAlert.tsx';
import { useUrlFilters } from '../ui/useUrlFilters.ts';
import { useKindText } from './parts.tsx';
import {
  MAIL_KINDS,
  type MailKind,
  type MailTemplate,
  type TemplateLanguage,
  useResetTemplate,
  useSaveTemplate,
  useTemplates,
} from './queries.ts';

/**
 * The words of each mail the desk sends, per kind and language (picked above the form, kept in the URL): an
 * admin rewords one or goes back to the built-in text; agents read them. A template the server refuses (an
 * unknown placeholder, a reply without {{message}}) shows its reason under the field.
 */
export default function TemplatesTab() {
  const { t, languageName } = useI18n();
  const kindText = useKindText();
  const me = useMe();
  const admin = me.data?.role === 'admin';
  const { search, set } = useUrlFilters();
  const templates = useTemplates();
  const save = useSaveTemplate();
  const reset = useResetTemplate();
  const kind = (MAIL_KINDS as readonly string[]).includes(search.get('kind') ?? '')
    ? (search.get('kind') as MailKind)
    : 'agent_reply';
  const language = (LANGUAGES as readonly string[]).includes(search.get('language') ?? '')
    ? (search.get('language') as TemplateLanguage)
    : 'en';
  const tpl = templates.data?.items.find((x) => x.kind === kind && x.language === language);
  const pick = (key: 'kind' | 'language', value: string) => {
    save.reset();
    reset.reset();
    set(key, value);
  };
  return (
    <Stack gap="sm" maw={900}>
      <Text size="sm">{t('mail.templates.intro')}</Text>
      {!admin && (
        <Alert color="blue" c="dark.9">
          {t('mail.templates.readOnly')}
        </Alert>
      )}
      <Group align="flex-end">
        <NativeSelect
          label={t('mail.templates.kind')}
          w={240}
          value={kind}
          onChange={(e) => pick('kind', e.currentTarget.value)}
          data={MAIL_KINDS.map((k) => ({ value: k, label: kindText(k) }))}
        />
        <NativeSelect
          label={t('mail.templates.language')}
          w={200}
          value={language}
          onChange={(e) => pick('language', e.currentTarget.value)}
          data={LANGUAGES.map((l) => ({ value: l, label: languageName(l) }))}
        />
      </Group>
      <ErrorAlert error={templates.error} />
      {tpl && (
        <TemplateForm
          // A new pick, or the server's new wording after a save or a reset, starts the form afresh.
          key={`${kind}:${language}:${tpl.updatedAt ?? 'built-in'}`}
          tpl={tpl}
          admin={admin}
          save={save}
          reset={reset}
        />
      )}
      <Stack gap={4}>
        <Text size="sm" fw={600}>
          {t('mail.templates.placeholders')}
        </Text>
        <List size="sm">
          {/* The server's list: the placeholders it accepts (any other is refused at save, named). */}
          {(templates.data?.placeholders ?? []).map((p) => (
            <List.Item key={p.name}>
              <Code>{`{{${p.name}}}`}</Code> — {p.meaning}
            </List.Item>
          ))}
        </List>
      </Stack>
    </Stack>
  );
}

function TemplateForm({
  tpl,
  admin,
  save,
  reset,
}: {
  tpl: MailTemplate;
  admin: boolean;
  save: ReturnType<typeof useSaveTemplate>;
  reset: ReturnType<typeof useResetTemplate>;
}) {
  const { t, dateTime } = useI18n();
  const [subject, setSubject] = useState(tpl.subject);
  const [body, setBody] = useState(tpl.body);
  const ref = { kind: tpl.kind, language: tpl.language };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    reset.reset();
    save.mutate({ ...ref, subject, body });
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {tpl.custom
            ? `${t('mail.templates.custom')} ${tpl.updatedBy ?? '—'}, ${dateTime(tpl.updatedAt)}`
            : t('mail.templates.builtIn')}
        </Text>
        <TextInput
          label={t('mail.templates.subject')}
          value={subject}
          readOnly={!admin}
          onChange={(e) => setSubject(e.currentTarget.value)}
          error={fieldError(save.error, 'subject')}
        />
        <Textarea
          label={t('mail.templates.body')}
          autosize
          minRows={6}
          value={body}
          readOnly={!admin}
          onChange={(e) => setBody(e.currentTarget.value)}
          error={fieldError(save.error, 'body')}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        />
        <ErrorAlert error={save.error ?? reset.error} />
        {(save.isSuccess || reset.isSuccess) && (
          <Text size="sm" role="status">
            {save.isSuccess ? t('mail.templates.saved') : t('mail.templates.resetDone')}
          </Text>
        )}
        {admin && (
          <Group>
            <Button type="submit" loading={save.isPending}>
              {t('mail.templates.save')}
            </Button>
            <Button
              variant="default"
              disabled={!tpl.custom}
              loading={reset.isPending}
              onClick={() => {
                save.reset();
                reset.mutate(ref);
              }}
            >
              {t('mail.templates.reset')}
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}
