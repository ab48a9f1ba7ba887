import { Checkbox, Fieldset, Group, SimpleGrid, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { Schemas } from '../api/client.ts';
import { type useCalendars, useSaveCalendar } from './queries.ts';
import { AdminForm, fieldError, splitList } from './ui.tsx';

// As the client returns it: openapi-fetch reads the schema's [start, end] tuples as plain arrays.
export type Calendar = NonNullable<ReturnType<typeof useCalendars>['data']>['items'][number];
type ClosedType = NonNullable<Schemas['SlaCalendar']['holidays']>['closedTypes'][number];
export const DAYS = [
  ['mon', 'Monday'],
  ['tue', 'Tuesday'],
  ['wed', 'Wednesday'],
  ['thu', 'Thursday'],
  ['fri', 'Friday'],
  ['sat', 'Saturday'],
  ['sun', 'Sunday'],
] as const;
type Day = (typeof DAYS)[number][0];
const CLOSED_TYPES: ClosedType[] = ['public', 'bank', 'optional', 'school', 'observance'];

/** A day's opening hours as people write them: "08:00-12:00, 13:00-17:00"; empty is closed. */
export const formatHours = (ranges: string[][] | undefined) => (ranges ?? []).map(([a, b]) => `${a}-${b}`).join(', ');
// Not checked here: a malformed range goes to the API as written, whose answer names the day and the range.
const parseHours = (s: string): [string, string][] =>
  s
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => {
      const [a = '', b = ''] = r.split(/\s*[-–]\s*/);
      return [a, b];
    });

type Form = {
  name: string;
  timeZone: string;
  hours: Record<Day, string>;
  country: string;
  state: string;
  region: string;
  closedTypes: string[];
  closedDates: string;
};
const fromCalendar = (c: Calendar | null): Form => ({
  name: c?.name ?? '',
  timeZone: c?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
  hours: Object.fromEntries(
    DAYS.map(([d]) => [d, c ? formatHours(c.weeklyHours[d]) : d === 'sat' || d === 'sun' ? '' : '08:00-17:00']),
  ) as Record<Day, string>,
  country: c?.holidays?.country ?? '',
  state: c?.holidays?.state ?? '',
  region: c?.holidays?.region ?? '',
  closedTypes: c?.holidays?.closedTypes ?? ['public'],
  closedDates: c?.closedDates.join(', ') ?? '',
});

/** An SLA calendar: the business hours SLA clocks run in, with public holidays and extra closed dates. */
export function CalendarForm({ calendar, onDone }: { calendar: Calendar | null; onDone: () => void }) {
  const save = useSaveCalendar();
  const [f, setF] = useState<Form>(() => fromCalendar(calendar));
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setF((x) => ({ ...x, [k]: v }));
  const err = save.error;

  const submit = () => {
    const holidays = f.country.trim()
      ? {
          country: f.country.trim(),
          ...(f.state.trim() ? { state: f.state.trim() } : {}),
          ...(f.region.trim() ? { region: f.region.trim() } : {}),
          closedTypes: f.closedTypes as ClosedType[],
        }
      : null;
    const body = {
      name: f.name,
      timeZone: f.timeZone.trim(),
      weeklyHours: Object.fromEntries(DAYS.map(([d]) => [d, parseHours(f.hours[d])])),
      closedDates: splitList(f.closedDates),
    };
    save.mutate(
      calendar
        ? { id: calendar.id, body: { ...body, holidays } }
        : { id: null, body: { ...body, ...(holidays ? { holidays } : {}) } },
      { onSuccess: onDone },
    );
  };

  return (
    <AdminForm
      onSubmit={submit}
      error={err}
      busy={save.isPending}
      submitLabel={calendar ? 'Save calendar' : 'Create calendar'}
      onCancel={onDone}
    >
      <SimpleGrid cols={2}>
        <TextInput
          label="Name"
          required
          value={f.name}
          onChange={(e) => set('name', e.currentTarget.value)}
          error={fieldError(err, 'name')}
        />
        <TextInput
          label="Time zone"
          description="IANA name, e.g. Europe/Stockholm"
          required
          value={f.timeZone}
          onChange={(e) => set('timeZone', e.currentTarget.value)}
          error={fieldError(err, 'timeZone')}
        />
      </SimpleGrid>
      <Fieldset legend="Weekly hours (e.g. 08:00-12:00, 13:00-17:00; 00:00-24:00 all day; empty: closed)">
        <SimpleGrid cols={2}>
          {DAYS.map(([d, label]) => (
            <TextInput
              key={d}
              label={`${label} hours`}
              placeholder="closed"
              value={f.hours[d]}
              onChange={(e) => set('hours', { ...f.hours, [d]: e.currentTarget.value })}
              error={fieldError(err, `weeklyHours.${d}`)}
            />
          ))}
        </SimpleGrid>
      </Fieldset>
      <Fieldset legend="Public holidays (closed days)">
        <SimpleGrid cols={3}>
          <TextInput
            label="Holiday country"
            description="ISO code, e.g. SE; empty: none"
            value={f.country}
            onChange={(e) => set('country', e.currentTarget.value)}
            error={fieldError(err, 'holidays.country') ?? fieldError(err, 'holidays')}
          />
          <TextInput
            label="Holiday state"
            description="Optional, e.g. BY"
            value={f.state}
            onChange={(e) => set('state', e.currentTarget.value)}
            error={fieldError(err, 'holidays.state')}
          />
          <TextInput
            label="Holiday region"
            description="Optional"
            value={f.region}
            onChange={(e) => set('region', e.currentTarget.value)}
            error={fieldError(err, 'holidays.region')}
          />
        </SimpleGrid>
        <Checkbox.Group
          mt="sm"
          label="Closed on these holiday types"
          value={f.closedTypes}
          onChange={(v) => set('closedTypes', v)}
          error={fieldError(err, 'holidays.closedTypes')}
        >
          <Group mt={4}>
            {CLOSED_TYPES.map((t) => (
              <Checkbox key={t} value={t} label={t} />
            ))}
          </Group>
        </Checkbox.Group>
      </Fieldset>
      <TextInput
        label="Other closed dates"
        description="Comma-separated YYYY-MM-DD, e.g. 2026-12-24, 2026-12-31"
        value={f.closedDates}
        onChange={(e) => set('closedDates', e.currentTarget.value)}
        error={fieldError(err, 'closedDates')}
      />
    </AdminForm>
  );
}
