import { Fieldset, NativeSelect, NumberInput, SimpleGrid, Stack, Text } from '@mantine/core';
import { useI18n } from '../i18n/index.tsx';
import { type Draft, reasonsFor } from './rule-draft.ts';
import { DIRECTIONS, type Direction, kbWords, plural } from './rule-words.ts';

type FieldsProps = { d: Draft; set: (patch: Partial<Draft>) => void; error: unknown };
type Key = Exclude<keyof Draft['drift'], 'direction'>;

const known = (v: string | number) => v !== '' && Number.isFinite(Number(v));
const AWAY: Record<Direction, string> = { both: 'above or below', up: 'above', down: 'below' };

/**
 * A usage-drift rule's parameters, with the rule they make in words as they are typed. As for a drop, each range is
 * the API's (rules.schemas.ts), said in its description, and an out-of-range value goes as typed so the API names it
 * under the field.
 */
export function UsageDriftFields({ d, set, error }: FieldsProps) {
  const { t } = useI18n();
  const p = d.drift;
  const num = (key: Key, step = 1) => (
    <NumberInput
      label={t(`alarms.drift.${key}`)}
      description={t(`alarms.drift.${key}Help`)}
      clampBehavior="none"
      allowDecimal={step < 1}
      decimalScale={step < 1 ? 2 : undefined}
      step={step}
      min={0}
      thousandSeparator={key === 'minUsualKb' ? ',' : undefined}
      value={p[key]}
      onChange={(v) => set({ drift: { ...p, [key]: v } })}
      error={reasonsFor(error, `params.${key}`)}
    />
  );
  const days = known(p.days) ? plural(Number(p.days), 'day') : 'its newest days';
  const learn = known(p.learnDays) ? plural(Number(p.learnDays), 'day') : 'the days';
  return (
    <Fieldset legend={t('alarms.drift.legend')}>
      <Stack gap="sm">
        <Text size="sm">
          A SIM whose daily volume over {days}, weighted to the newest
          {known(p.lambda) ? ` (λ ${p.lambda})` : ''}, drifts {AWAY[p.direction]} its mean of the {learn} before
          {known(p.limit) ? ` by more than ${p.limit} of that average's standard deviations` : ''}
          {known(p.minChangePercent) ? ` and by at least ${p.minChangePercent} %` : ''} is alarmed
          {known(p.minUsualKb) ? ` if it usually carries at least ${kbWords(Number(p.minUsualKb))} a day` : ''}; judged
          daily at 03 UTC, the alarm clears once it is back within half the limits.
        </Text>
        <SimpleGrid cols={{ base: 2, md: 4 }}>
          <NativeSelect
            label={t('alarms.drift.direction')}
            description={t('alarms.drift.directionHelp')}
            data={DIRECTIONS.map((x) => ({ value: x, label: t(`alarms.drift.direction.${x}`) }))}
            value={p.direction}
            onChange={(ev) => set({ drift: { ...p, direction: ev.currentTarget.value as Direction } })}
            error={reasonsFor(error, 'params.direction')}
          />
          {num('minChangePercent')}
          {num('limit', 0.5)}
          {num('lambda', 0.05)}
          {num('days')}
          {num('learnDays')}
          {num('minUsualKb')}
        </SimpleGrid>
      </Stack>
    </Fieldset>
  );
}
