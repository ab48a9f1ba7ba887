import { Fieldset, NumberInput, SimpleGrid, Stack, Text } from '@mantine/core';
import { useI18n } from '../i18n/index.tsx';
import { type Draft, reasonsFor } from './rule-draft.ts';
import { kbWords, plural } from './rule-words.ts';

type FieldsProps = { d: Draft; set: (patch: Partial<Draft>) => void; error: unknown };
type Key = keyof Draft['drop'];

const known = (v: string | number) => v !== '' && Number.isFinite(Number(v));

/**
 * A usage-drop rule's parameters, with the rule they make in words as they are typed. Each field's range is the
 * API's (rules.schemas.ts), said in its description; out-of-range values go as typed, so the API's answer names
 * them under the field (clamping would hide the mistake).
 */
export function UsageDropFields({ d, set, error }: FieldsProps) {
  const { t } = useI18n();
  const p = d.drop;
  const num = (key: Key, decimal = false) => (
    <NumberInput
      label={t(`alarms.drop.${key}`)}
      description={t(`alarms.drop.${key}Help`)}
      clampBehavior="none"
      allowDecimal={decimal}
      decimalScale={decimal ? 2 : undefined}
      step={decimal ? 0.5 : 1}
      min={0}
      thousandSeparator={key === 'minUsualKb' ? ',' : undefined}
      value={p[key]}
      onChange={(v) => set({ drop: { ...p, [key]: v } })}
      error={reasonsFor(error, `params.${key}`)}
    />
  );
  const hours = known(p.hours) ? (Number(p.hours) === 1 ? 'hour' : `${p.hours} hours`) : 'hours';
  const weeks = known(p.learnWeeks) ? plural(Number(p.learnWeeks), 'week') : 'the past weeks';
  const drop = known(p.dropPercent) ? `${p.dropPercent} %` : 'the drop';
  return (
    <Fieldset legend={t('alarms.drop.legend')}>
      <Stack gap="sm">
        <Text size="sm">
          A SIM whose last {hours} carried {drop} less than its usual for the same {hours} of the week (the median of{' '}
          {weeks}, a week without usage counting as none)
          {known(p.k) && Number(p.k) > 0 ? `, and more than ${plural(Number(p.k), 'MAD')} below it,` : ''} is alarmed
          {known(p.minUsualKb) ? ` if it usually carries at least ${kbWords(Number(p.minUsualKb))} then` : ''}; judged
          every hour, the alarm clears once the SIM is back above{' '}
          {known(p.dropPercent) ? `${Number(p.dropPercent) / 2} %` : 'half the drop'} below its usual.
        </Text>
        <SimpleGrid cols={{ base: 2, md: 3 }}>
          {num('dropPercent')}
          {num('k', true)}
          {num('hours')}
          {num('learnWeeks')}
          {num('minUsualKb')}
        </SimpleGrid>
      </Stack>
    </Fieldset>
  );
}
