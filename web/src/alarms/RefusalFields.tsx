import { Checkbox, Fieldset, Group, NumberInput, SimpleGrid, Stack, TagsInput, Text } from '@mantine/core';
import { useI18n } from '../i18n/index.tsx';
import { badCauses, type Draft, reasonsFor } from './rule-draft.ts';
import {
  ATTEMPTS,
  type Attempt,
  attemptWords,
  COMMON_CAUSES,
  causeHint,
  duration,
  FLEET_WORDS,
  plural,
} from './rule-words.ts';

type FieldsProps = { d: Draft; set: (patch: Partial<Draft>) => void; error: unknown };
type Num = string | number;

const known = (v: Num) => v !== '' && Number.isFinite(Number(v));
const HINTS = COMMON_CAUSES.map(causeHint);

/** A whole number the API checks: out-of-range values go as typed, so its answer names them (clamping would hide them). */
function WholeNumber(p: {
  label: string;
  description: string;
  value: Num;
  onChange: (v: Num) => void;
  error?: string;
}) {
  return <NumberInput {...p} clampBehavior="none" allowDecimal={false} min={1} />;
}

/** Attach, session or both; none would watch nothing, which the API refuses (at least one). */
function AttemptsField({
  value,
  onChange,
  error,
}: {
  value: Attempt[];
  onChange: (v: Attempt[]) => void;
  error?: string;
}) {
  const { t } = useI18n();
  return (
    <Checkbox.Group
      label={t('alarms.attempts')}
      value={value}
      onChange={(v) => onChange(ATTEMPTS.filter((a) => v.includes(a)))}
      error={error}
    >
      <Group gap="md" mt={4}>
        {ATTEMPTS.map((a) => (
          <Checkbox key={a} value={a} label={t(`alarms.attempt.${a}`)} />
        ))}
      </Group>
    </Checkbox.Group>
  );
}

/** A cause as the sentence names it: with its name where it is one of the common ones (of the refusal it comes with). */
function causeWords(tags: string[], attempts: Attempt[]): string {
  if (tags.length === 0) return 'of any cause';
  const named = tags.map((tag) => {
    const c = COMMON_CAUSES.find((x) => String(x.code) === tag && attempts.includes(x.attempt));
    return c ? `${tag} ${c.name}` : tag;
  });
  return `${tags.length === 1 ? 'with cause' : 'with causes'} ${named.join(', ')}`;
}

/** A refusal burst's parameters, with the rule they make in words as they are typed. */
export function BurstFields({ d, set, error }: FieldsProps) {
  const { t } = useI18n();
  const p = d.burst;
  const put = (patch: Partial<Draft['burst']>) => set({ burst: { ...p, ...patch } });
  const bad = badCauses(d);
  return (
    <Fieldset legend={t('alarms.burst.legend')}>
      <Stack gap="sm">
        <Text size="sm">
          A SIM the network refused{' '}
          {known(p.count) && known(p.windowMinutes)
            ? `${plural(Number(p.count), 'time')} within ${duration(Number(p.windowMinutes))}`
            : 'that many times within the window'}{' '}
          ({attemptWords(p.attempts)} refusals {causeWords(p.causes, p.attempts)}) is alarmed at once; the alarm clears
          once the SIM is accepted again and refused no more for{' '}
          {known(p.clearMinutes) ? duration(Number(p.clearMinutes)) : 'the clearing time'}.
          {d.streakOn &&
            ` So is one refused ${known(p.streak) ? plural(Number(p.streak), 'time') : 'that many times'} in a row with no ` +
              `accepted ${attemptWords(p.attempts)} between, within ${known(p.streakHours) ? duration(Number(p.streakHours) * 60) : 'the look-back'}: ` +
              'a device refused for a cause no retry cures backs off to tens of minutes and never fills the window.'}
          {d.permanentOn &&
            ` Sooner for a cause no retry cures (an unknown APN, a barred or unknown SIM, a device not accepted, a ` +
              `network not allowed): ${known(p.permanentStreak) ? plural(Number(p.permanentStreak), 'time') : 'that many times'} ` +
              'in a row for the same cause on the same network. A device steered between networks is accepted on the ' +
              'next one and never makes such a streak.'}
        </Text>
        <SimpleGrid cols={{ base: 2, md: 3 }}>
          <WholeNumber
            label={t('alarms.burst.count')}
            description={t('alarms.burst.countHelp')}
            value={p.count}
            onChange={(v) => put({ count: v })}
            error={reasonsFor(error, 'params.count')}
          />
          <WholeNumber
            label={t('alarms.burst.window')}
            description={t('alarms.burst.windowHelp')}
            value={p.windowMinutes}
            onChange={(v) => put({ windowMinutes: v })}
            error={reasonsFor(error, 'params.windowMinutes')}
          />
          <WholeNumber
            label={t('alarms.burst.clear')}
            description={t('alarms.burst.clearHelp')}
            value={p.clearMinutes}
            onChange={(v) => put({ clearMinutes: v })}
            error={reasonsFor(error, 'params.clearMinutes')}
          />
        </SimpleGrid>
        <TagsInput
          label={t('alarms.burst.causes')}
          description={t('alarms.burst.causesHelp')}
          placeholder={p.causes.length === 0 ? t('common.any') : undefined}
          data={HINTS}
          acceptValueOnBlur
          clearable
          clearButtonProps={{ 'aria-label': 'Clear causes' }}
          value={p.causes}
          // A hint picked keeps its number: the rule holds numbers, and the sentence above names the known ones.
          onChange={(tags) => put({ causes: [...new Set(tags.map((x) => /^\s*(\d+)\b/.exec(x)?.[1] ?? x.trim()))] })}
          error={
            bad.length > 0
              ? `${bad.map((b) => `“${b}”`).join(', ')}: a cause is a number, e.g. 27`
              : reasonsFor(error, 'params.causes')
          }
        />
        <AttemptsField
          value={p.attempts}
          onChange={(attempts) => put({ attempts })}
          error={reasonsFor(error, 'params.attempts')}
        />
        <Checkbox
          label={t('alarms.burst.streakOn')}
          checked={d.streakOn}
          onChange={(e) => set({ streakOn: e.currentTarget.checked })}
        />
        <Checkbox
          label={t('alarms.burst.permanentOn')}
          checked={d.permanentOn}
          onChange={(e) => set({ permanentOn: e.currentTarget.checked })}
        />
        {(d.streakOn || d.permanentOn) && (
          <SimpleGrid cols={{ base: 2, md: 3 }}>
            {d.streakOn && (
              <WholeNumber
                label={t('alarms.burst.streak')}
                description={t('alarms.burst.streakHelp')}
                value={p.streak}
                onChange={(v) => put({ streak: v })}
                error={reasonsFor(error, 'params.streak')}
              />
            )}
            {d.permanentOn && (
              <WholeNumber
                label={t('alarms.burst.permanentStreak')}
                description={t('alarms.burst.permanentStreakHelp')}
                value={p.permanentStreak}
                onChange={(v) => put({ permanentStreak: v })}
                error={reasonsFor(error, 'params.permanentStreak')}
              />
            )}
            <WholeNumber
              label={t('alarms.burst.streakHours')}
              description={t('alarms.burst.streakHoursHelp')}
              value={p.streakHours}
              onChange={(v) => put({ streakHours: v })}
              error={reasonsFor(error, 'params.streakHours')}
            />
          </SimpleGrid>
        )}
      </Stack>
    </Fieldset>
  );
}

/** A fleet rule's parameters: which refusals it watches, and how long a network or APN must be well to clear. */
export function FleetFields({ d, set, error }: FieldsProps) {
  const { t } = useI18n();
  const p = d.fleet;
  const put = (patch: Partial<Draft['fleet']>) => set({ fleet: { ...p, ...patch } });
  return (
    <Fieldset legend={t('alarms.fleet.legend')}>
      <Stack gap="sm">
        <Text size="sm">
          A {FLEET_WORDS} ({attemptWords(p.attempts)} refusals over the last hour, as the diagnosis judges them) is
          alarmed; the alarm clears once it has been out of the failing list for{' '}
          {known(p.clearMinutes) ? duration(Number(p.clearMinutes)) : 'the clearing time'}.
        </Text>
        <SimpleGrid cols={{ base: 1, md: 3 }}>
          <WholeNumber
            label={t('alarms.burst.clear')}
            description={t('alarms.fleet.clearHelp')}
            value={p.clearMinutes}
            onChange={(v) => put({ clearMinutes: v })}
            error={reasonsFor(error, 'params.clearMinutes')}
          />
        </SimpleGrid>
        <AttemptsField
          value={p.attempts}
          onChange={(attempts) => put({ attempts })}
          error={reasonsFor(error, 'params.attempts')}
        />
      </Stack>
    </Fieldset>
  );
}
