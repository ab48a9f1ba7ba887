import { Fieldset, NumberInput, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useI18n } from '../i18n/index.tsx';
import { type Draft, reasonsFor } from './rule-draft.ts';
import { boundWords, duration, plural } from './rule-words.ts';

type FieldsProps = { d: Draft; set: (patch: Partial<Draft>) => void; error: unknown };
type Key = Exclude<keyof Draft['telemetry'], 'metric'>;

const known = (v: string | number) => v !== '' && Number.isFinite(Number(v));
const orNull = (v: string | number) => (known(v) ? Number(v) : null);

/**
 * A telemetry rule's metric and bounds, with the rule in words as typed. A bound left empty is none; with neither,
 * or a band upside down, the API's answer names the field (params.above, params.below) under it. Bounds and the
 * hysteresis are in the metric's own unit, so they take decimals and (the bounds) negatives.
 */
export function TelemetryThresholdFields({ d, set, error }: FieldsProps) {
  const { t } = useI18n();
  const p = d.telemetry;
  const num = (key: Key, decimal: boolean) => (
    <NumberInput
      label={t(`alarms.telemetry.${key}`)}
      description={t(`alarms.telemetry.${key}Help`)}
      clampBehavior="none"
      allowDecimal={decimal}
      allowNegative={key === 'above' || key === 'below'}
      decimalScale={decimal ? 4 : undefined}
      value={p[key]}
      onChange={(v) => set({ telemetry: { ...p, [key]: v } })}
      error={reasonsFor(error, `params.${key}`)}
    />
  );
  const above = orNull(p.above);
  const below = orNull(p.below);
  const metric = p.metric.trim() || 'metric';
  const repeats = known(p.repeats) ? plural(Number(p.repeats), 'report') : 'its reports';
  const long = known(p.durationMinutes) && Number(p.durationMinutes) > 0;
  const margin = known(p.hysteresis) && Number(p.hysteresis) > 0 ? ` by ${p.hysteresis}` : '';
  return (
    <Fieldset legend={t('alarms.telemetry.legend')}>
      <Stack gap="sm">
        <Text size="sm">
          A device whose {metric} is{' '}
          {above === null && below === null
            ? 'beyond its bound (give one above, below or both)'
            : boundWords(above, below)}{' '}
          for {repeats} in a row{long ? ` and for at least ${duration(Number(p.durationMinutes))}` : ''} is alarmed, one
          alarm per device and metric; judged as its reports arrive, the alarm clears once a report is back inside
          {margin}.
        </Text>
        <SimpleGrid cols={{ base: 1, md: 3 }}>
          <TextInput
            label={t('alarms.telemetry.metric')}
            description={t('alarms.telemetry.metricHelp')}
            required
            value={p.metric}
            onChange={(ev) => set({ telemetry: { ...p, metric: ev.currentTarget.value } })}
            error={reasonsFor(error, 'params.metric')}
          />
          {num('above', true)}
          {num('below', true)}
          {num('repeats', false)}
          {num('durationMinutes', false)}
          {num('hysteresis', true)}
        </SimpleGrid>
      </Stack>
    </Fieldset>
  );
}
