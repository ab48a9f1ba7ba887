import { Modal, Select, Text } from '@mantine/core';
import { LoginForm } from '../auth/LoginForm.tsx';
import { LANGUAGES, useI18n } from '../i18n/index.tsx';
import { chooseLanguage } from './App.tsx';

/**
 * The shell's parts no first screen needs, in their own chunk (Shell loads it lazily): the language picker (a
 * combobox: Mantine's Combobox, Popover and floating-ui) and the login over the page when the session expires (a
 * Modal). Kept out of the main script, they no longer delay the start of every screen's own chunk.
 */
export function LanguagePicker() {
  const { t, lang } = useI18n();
  return (
    <Select
      aria-label={t('language')}
      size="xs"
      w={80}
      data={[...LANGUAGES]}
      value={lang}
      onChange={(v) => v && chooseLanguage(v)}
      allowDeselect={false}
    />
  );
}

/** A 401 mid-work opens a login over the page instead of leaving it, so a half-typed reply survives. */
export function ExpiredLogin({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  return (
    <Modal opened onClose={() => undefined} withCloseButton={false} title={t('login.title')} centered>
      <Text size="sm" mb="md">
        {t('login.again')}
      </Text>
      <LoginForm onDone={onDone} />
    </Modal>
  );
}
