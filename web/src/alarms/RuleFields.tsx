import {
  Autocomplete,
  Checkbox,
  Fieldset,
  Group,
  NativeSelect,
  NumberInput,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { useI18n } from '../i18n/index.tsx';
import type { RefOptions } from './queries.ts';
import {
  type Draft,
  hasSchedule,
  opensCases,
  reasonsFor,
  scopesDevices,
  scopesSims,
  unresolved,
} from './rule-draft.ts';
import { duration, type RefField, SEVERITIES, type Severity, WEEKDAYS, type Weekday } from './rule-words.ts';

type FieldsProps = { d: Draft; set: (patch: Partial<Draft>) => void; error: unknown };

const severityData = SEVERITIES.map((s) => ({ value: s, label: s }));
// The browser's own list; a zone it lacks can still be typed, and the API judges it.
const TIME_ZONES = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC'];

/**
 * Which SIMs: references picked from the console's lists (or typed as ids), and APNs and networks as text. A fleet
 * rule watches networks and APNs themselves, so it shows only those two; a telemetry rule watches devices, scoped by
 * their account and model alone.
 */
export function ScopeFields({ d, set, error, options }: FieldsProps & { options: Record<RefField, RefOptions> }) {
  const { t } = useI18n();
  const local = unresolved(d);
  const sims = scopesSims(d.kind);
  const devices = scopesDevices(d.kind);
  const ref = (field: RefField, label: string, noun: string) => {
    const o = options[field];
    const bad = local[field];
    return (
      <TagsInput
        label={label}
        description={`Pick from the list, or type ${noun === 'account' ? 'an account number or id' : `a ${noun} id`}`}
        placeholder={d.refs[field].length === 0 ? 'Any' : undefined}
        data={o.labels}
        limit={30}
        acceptValueOnBlur
        clearable
        clearButtonProps={{ 'aria-label': `Clear ${label.toLowerCase()}` }}
        value={d.refs[field].map((r) => (typeof r === 'number' ? o.labelOf(r) : r))}
        onChange={(tags) => set({ refs: { ...d.refs, [field]: [...new Set(tags.map(o.resolve))] } })}
        error={
          bad
            ? `${bad.map((b) => `“${b}”`).join(', ')}: no such ${noun} in the list; pick one, or type its id`
            : reasonsFor(error, `scope.${field}`, (v) => o.labelOf(Number(v)))
        }
      />
    );
  };
  return (
    <Fieldset legend={t(sims ? 'alarms.scope.sims' : devices ? 'alarms.scope.devices' : 'alarms.scope.places')}>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {sims
            ? 'Every field filled must hold; all empty takes in every SIM. Where rules of a kind overlap, a SIM follows the most specific one (most fields filled).'
            : t(devices ? 'alarms.scope.devicesHelp' : 'alarms.scope.placesHelp')}
        </Text>
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          {(sims || devices) && (
            <>
              {ref('accountIds', 'Accounts', 'account')}
              {ref('deviceModelIds', 'Device models', 'device model')}
            </>
          )}
          {sims && (
            <>
              {ref('communicationPlanIds', 'Communication plans', 'communication plan')}
              {ref('ratePlanIds', 'Rate plans', 'rate plan')}
            </>
          )}
          {!devices && (
            <>
              <TextInput
                label="APNs"
                description={
                  sims
                    ? "Of the SIM's last session; comma-separated, e.g. iot.example.com"
                    : t('alarms.scope.apnsFleet')
                }
                placeholder="Any"
                value={d.apns}
                onChange={(e) => set({ apns: e.currentTarget.value })}
                error={reasonsFor(error, 'scope.apns')}
              />
              <TextInput
                label="Networks (PLMN)"
                description={
                  sims
                    ? 'Where the SIM was last seen: MCC+MNC, comma-separated, e.g. 24007, 26201'
                    : t('alarms.scope.plmnsFleet')
                }
                placeholder="Any"
                value={d.plmns}
                onChange={(e) => set({ plmns: e.currentTarget.value })}
                error={reasonsFor(error, 'scope.plmns')}
              />
            </>
          )}
        </SimpleGrid>
      </Stack>
    </Fieldset>
  );
}

/** The threshold's parameters, with the threshold they make in words as they are typed. */
export function ThresholdFields({ d, set, error }: FieldsProps) {
  const p = d.params;
  const num = (key: keyof Draft['params'], label: string, description: string, decimal = false) => (
    <NumberInput
      label={label}
      description={description}
      // Out-of-range values go to the API as typed, whose answer names them; clamping would hide the mistake.
      clampBehavior="none"
      allowDecimal={decimal}
      decimalScale={decimal ? 2 : undefined}
      step={decimal ? 0.1 : 1}
      min={0}
      value={p[key]}
      onChange={(v) => set({ params: { ...p, [key]: v } })}
      error={reasonsFor(error, `params.${key}`)}
    />
  );
  const known = (v: string | number) => v !== '' && Number.isFinite(Number(v));
  return (
    <Fieldset legend="When a silence is news">
      <Stack gap="sm">
        <Text size="sm">
          {known(p.factor) && known(p.graceMinutes)
            ? `A SIM silent for longer than ${p.factor} × its usual interval + ${duration(Number(p.graceMinutes))} is alarmed`
            : 'A SIM silent for longer than factor × its usual interval + grace is alarmed'}{' '}
          (the usual interval of the hour of the week it went quiet in
          {known(p.learnWeeks) ? `, learned from its last ${p.learnWeeks} weeks` : ''})
          {known(p.noRhythmMinutes) ? `; one without a rhythm yet, after ${duration(Number(p.noRhythmMinutes))}` : ''}.
        </Text>
        <SimpleGrid cols={{ base: 2, md: 4 }}>
          {num('factor', 'Factor', '× the usual interval, 1 to 20', true)}
          {num('graceMinutes', 'Grace (minutes)', 'Added, and the least threshold')}
          {num('noRhythmMinutes', 'Without rhythm (minutes)', 'Too few active hours to learn from')}
          {num('learnWeeks', 'Learned over (weeks)', '1 to 8')}
        </SimpleGrid>
      </Stack>
    </Fieldset>
  );
}

/**
 * Severity and its optional escalation, what follows an alarm (a case, reminders), and the optional schedule (outside
 * it, a silence due or a drop, drift or telemetry value found waits for its start). Each kind shows what its watch
 * applies: a burst has no schedule (it is news at once); a fleet alarm belongs to no account (no case) and is built in
 * at one severity, which a rule sets; a telemetry alarm is the desk's alone (no case: the customer has no view of it).
 */
export function SeverityAndScheduleFields({ d, set, error }: FieldsProps) {
  const { t } = useI18n();
  const e = d.escalation;
  const s = d.schedule;
  const fleet = d.kind === 'fleet_refusals';
  const burst = d.kind === 'refusal_burst';
  const drop = d.kind === 'usage_drop';
  const drift = d.kind === 'usage_drift';
  const telemetry = d.kind === 'telemetry_threshold';
  // Every escalation but a silence's counts from when the alarm was raised; a silence's from its threshold.
  const sinceRaised = d.kind !== 'silence';
  return (
    <>
      <Fieldset legend="Severity">
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, md: 3 }}>
            <NativeSelect
              label="Severity of its alarms"
              description={fleet ? t('alarms.severity.fleetHelp') : undefined}
              data={severityData}
              value={d.severity}
              onChange={(ev) => set({ severity: ev.currentTarget.value as Severity })}
              error={reasonsFor(error, 'severity')}
            />
          </SimpleGrid>
          {!fleet && (
            <Checkbox
              label={
                burst
                  ? 'Escalate while the refusals go on'
                  : drop
                    ? 'Escalate while the usage stays low'
                    : drift
                      ? 'Escalate while the usage keeps drifting'
                      : telemetry
                        ? 'Escalate while the reports stay beyond'
                        : 'Escalate while the silence lasts'
              }
              checked={d.escalate}
              onChange={(ev) => set({ escalate: ev.currentTarget.checked })}
            />
          )}
          {d.escalate && !fleet && (
            <SimpleGrid cols={{ base: 1, md: 3 }}>
              <NumberInput
                label={sinceRaised ? 'After (minutes since it was raised)' : 'After (minutes past the threshold)'}
                min={1}
                clampBehavior="none"
                allowDecimal={false}
                value={e.afterMinutes}
                onChange={(v) => set({ escalation: { ...e, afterMinutes: v } })}
                error={reasonsFor(error, 'escalation.afterMinutes')}
              />
              <NativeSelect
                label="Escalate to"
                data={severityData}
                value={e.severity}
                onChange={(ev) => set({ escalation: { ...e, severity: ev.currentTarget.value as Severity } })}
                error={reasonsFor(error, 'escalation.severity')}
              />
            </SimpleGrid>
          )}
        </Stack>
      </Fieldset>
      {!fleet && (
        <Fieldset legend="Follow-up">
          <Stack gap="sm">
            {opensCases(d.kind) ? (
              <Checkbox
                label="Open a case for the alarm's account (channel monitoring), or add its SIMs to the one open for the same cause; the customer is told by e-mail in their language"
                checked={d.openCase}
                onChange={(ev) => set({ openCase: ev.currentTarget.checked })}
                error={reasonsFor(error, 'openCase')}
              />
            ) : (
              <Text size="sm" c="dimmed">
                {t('alarms.telemetry.noCase')}
              </Text>
            )}
            <Checkbox
              label="Remind the desk of an alarm nobody has acknowledged"
              checked={d.remind}
              onChange={(ev) => set({ remind: ev.currentTarget.checked })}
            />
            {d.remind && (
              <SimpleGrid cols={{ base: 1, md: 3 }}>
                <NumberInput
                  label="Every (minutes)"
                  description="5 to 10,080 (a week)"
                  min={5}
                  clampBehavior="none"
                  allowDecimal={false}
                  value={d.remindMinutes}
                  onChange={(v) => set({ remindMinutes: v })}
                  error={reasonsFor(error, 'remindMinutes')}
                />
              </SimpleGrid>
            )}
          </Stack>
        </Fieldset>
      )}
      {hasSchedule(d.kind) && (
        <Fieldset legend="Schedule">
          <Stack gap="sm">
            <Checkbox
              label={
                d.kind === 'silence'
                  ? 'Raise alarms only at certain times (a silence due outside them waits for the next start)'
                  : `Raise alarms only at certain times (a ${drop ? 'drop' : drift ? 'drift' : 'value beyond'} found outside them is raised when next judged inside them, if it lasts)`
              }
              checked={d.scheduled}
              onChange={(ev) => set({ scheduled: ev.currentTarget.checked })}
            />
            {d.scheduled && (
              <>
                <Checkbox.Group
                  label="Days"
                  value={s.days}
                  onChange={(v) => set({ schedule: { ...s, days: v as Weekday[] } })}
                  error={reasonsFor(error, 'schedule.days')}
                >
                  <Group gap="md" mt={4}>
                    {WEEKDAYS.map((w) => (
                      <Checkbox key={w.value} value={w.value} label={w.label} />
                    ))}
                  </Group>
                </Checkbox.Group>
                <SimpleGrid cols={{ base: 1, md: 3 }}>
                  <TextInput
                    type="time"
                    label="From"
                    description="Local time in the rule's time zone"
                    value={s.from}
                    onChange={(ev) => set({ schedule: { ...s, from: ev.currentTarget.value } })}
                    error={reasonsFor(error, 'schedule.from')}
                  />
                  <TextInput
                    type="time"
                    label="To"
                    description="Before “from”: the window runs past midnight"
                    value={s.to}
                    onChange={(ev) => set({ schedule: { ...s, to: ev.currentTarget.value } })}
                    error={reasonsFor(error, 'schedule.to')}
                  />
                  <Autocomplete
                    label="Time zone"
                    description="IANA name, e.g. Europe/Stockholm"
                    data={TIME_ZONES}
                    limit={20}
                    value={s.timeZone}
                    onChange={(v) => set({ schedule: { ...s, timeZone: v } })}
                    error={reasonsFor(error, 'schedule.timeZone')}
                  />
                </SimpleGrid>
              </>
            )}
          </Stack>
        </Fieldset>
      )}
    </>
  );
}
