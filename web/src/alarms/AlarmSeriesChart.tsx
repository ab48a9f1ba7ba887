import { Text } from '@mantine/core';
import type { Schemas } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { Legend, type Series } from '../ui/charts.tsx';

type AlarmSeries = Schemas['AlarmSeries'];
type Bucket = AlarmSeries['buckets'][number];

/** Refusals first (at the bottom of each bar, in warm colours): they are what most alarms are about. */
const TYPES: { key: string; color: string }[] = [
  { key: 'attach_rejected', color: '#c92a2a' },
  { key: 'session_rejected', color: '#e8590c' },
  { key: 'attach', color: '#1864ab' },
  { key: 'session_start', color: '#2b8a3e' },
  { key: 'session_update', color: '#74b816' },
  { key: 'session_end', color: '#5c940d' },
  { key: 'detach', color: '#868e96' },
  { key: 'sms_mo', color: '#7048e8' },
  { key: 'sms_mt', color: '#9775fa' },
  { key: 'voice', color: '#0c8599' },
];
const BYTES = '#212529';
const RAISED = '#c92a2a';
const CLEARED = '#2b8a3e';
const SILENCE = '#f08c00';

type Mark = { key: string; at: string; color: string; label: string; dash?: string };

/**
 * The traffic around an alarm (GET /api/v1/alarms/{id}/series): per bucket, the events stacked by type (refused at
 * the bottom), the data volume as a line on its own scale, and the alarm's instants as vertical lines — raised,
 * last seen, cleared; for a silence the last event and the silence its rule allowed as a band up to the due time —
 * so "it talked every 30 min, then nothing for 4 h, alarm at +X" reads at a glance. SVG as the other console charts
 * (ui/charts.tsx, capacity/ForecastChart.tsx); every bar and mark has a title, and the marks are also listed in text.
 */
export function AlarmSeriesChart({ series, subject }: { series: AlarmSeries; subject: string }) {
  const { dateTime, number, bytes, lang } = useI18n();
  const w = 760;
  const h = 280;
  const left = 44;
  const right = 64;
  const top = 22;
  const bottom = 30;
  const from = Date.parse(series.from);
  const to = Date.parse(series.to);
  const plotW = w - left - right;
  const x = (t: number) => left + ((t - from) / Math.max(1, to - from)) * plotW;
  const n = series.buckets.length;
  const bw = n > 0 ? plotW / n : plotW;
  const present = TYPES.filter((s) => series.buckets.some((b) => (b.byType as Record<string, number>)[s.key]));
  const total = (b: Bucket) => b.accepted + b.refused;
  const max = Math.max(1, ...series.buckets.map(total));
  const y = (v: number) => top + (1 - v / max) * (h - top - bottom);
  const withBytes = series.totals.bytes !== null && series.totals.bytes > 0;
  const maxBytes = Math.max(1, ...series.buckets.map((b) => b.bytes ?? 0));
  const yb = (v: number) => top + (1 - v / maxBytes) * (h - top - bottom);
  const span = to - from;
  const tick = new Intl.DateTimeFormat(
    lang,
    span <= 24 * 3_600_000
      ? { hour: '2-digit', minute: '2-digit' }
      : { day: 'numeric', month: 'short', hour: '2-digit' },
  );
  const m = series.marks;
  const marks: Mark[] = [
    ...(m.lastEventAt
      ? [{ key: 'last-event', at: m.lastEventAt, color: SILENCE, label: 'last event', dash: '2 3' }]
      : []),
    { key: 'raised', at: m.firstSeenAt, color: RAISED, label: 'alarm raised' },
    ...(m.lastSeenAt !== m.firstSeenAt
      ? [{ key: 'last-seen', at: m.lastSeenAt, color: RAISED, label: 'last seen', dash: '5 3' }]
      : []),
    ...(m.clearedAt ? [{ key: 'cleared', at: m.clearedAt, color: CLEARED, label: 'cleared' }] : []),
  ];
  const inside = (iso: string) => Date.parse(iso) >= from && Date.parse(iso) <= to;
  const band =
    m.lastEventAt && m.dueAt
      ? { x1: x(Math.max(from, Date.parse(m.lastEventAt))), x2: x(Math.min(to, Date.parse(m.dueAt))) }
      : null;
  const allowed = m.thresholdMinutes === null ? null : minutesText(m.thresholdMinutes);
  const events = series.totals.accepted + series.totals.refused;
  const label =
    `Network events of ${subject} from ${dateTime(series.from)} to ${dateTime(series.to)} in ` +
    `${series.bucketMinutes}-minute buckets: ${number(series.totals.accepted)} accepted, ` +
    `${number(series.totals.refused)} refused` +
    (withBytes ? `, ${bytes(series.totals.bytes ?? 0)} of data` : '') +
    `; alarm raised ${dateTime(m.firstSeenAt)}` +
    (m.clearedAt ? `, cleared ${dateTime(m.clearedAt)}` : ', still active') +
    (m.lastEventAt ? `; silent since ${dateTime(m.lastEventAt)}${allowed ? `, ${allowed} allowed` : ''}` : '');
  const legend: Series[] = [
    ...present.map((s) => ({ key: s.key, color: s.color, label: s.key.replace(/_/g, ' ') })),
    ...(withBytes ? [{ key: 'bytes', color: BYTES, label: 'data volume (line, right scale)' }] : []),
    ...marks.map((k) => ({ key: `mark-${k.key}`, color: k.color, label: `${k.label} (vertical line)` })),
    ...(band ? [{ key: 'band', color: '#ffe8cc', label: 'silence the rule allowed' }] : []),
  ];
  return (
    <div>
      {events === 0 && (
        <Text size="sm" mb="xs">
          No network events{' '}
          {series.scope === 'sim' ? 'from this SIM' : `on this ${series.scope === 'plmn' ? 'network' : 'APN'}`} in this
          window.
        </Text>
      )}
      <svg viewBox={`0 0 ${w} ${h}`} width="100%" role="img" aria-label={label}>
        {band && band.x2 > band.x1 && (
          <rect x={band.x1} y={top} width={band.x2 - band.x1} height={h - top - bottom} fill="#ffe8cc">
            <title>{`silence the rule allowed${allowed ? `: ${allowed}` : ''}, until ${dateTime(m.dueAt)}`}</title>
          </rect>
        )}
        {[0, max / 2, max].map((v) => (
          <g key={v}>
            <line x1={left} x2={w - right} y1={y(v)} y2={y(v)} stroke="#dee2e6" />
            <text x={left - 6} y={y(v) + 4} fontSize={11} textAnchor="end" fill="#343a40">
              {Number.isInteger(v) ? number(v) : ''}
            </text>
          </g>
        ))}
        {withBytes &&
          [0, maxBytes].map((v) => (
            <text key={v} x={w - right + 6} y={yb(v) + 4} fontSize={11} textAnchor="start" fill="#343a40">
              {bytes(v)}
            </text>
          ))}
        {series.buckets.map((b, i) => {
          let acc = 0;
          const when = `${dateTime(b.at)} (${series.bucketMinutes} min)`;
          return (
            <g key={b.at}>
              {present.map((s) => {
                const v = (b.byType as Record<string, number>)[s.key] ?? 0;
                if (v === 0) return null;
                const y1 = y(acc + v);
                const y0 = y(acc);
                acc += v;
                return (
                  <rect
                    key={s.key}
                    x={left + i * bw + (bw > 4 ? 0.5 : 0)}
                    y={y1}
                    width={Math.max(bw - (bw > 4 ? 1 : 0), 1)}
                    height={Math.max(y0 - y1, 0.5)}
                    fill={s.color}
                  >
                    <title>{`${when} — ${s.key.replace(/_/g, ' ')}: ${number(v)}`}</title>
                  </rect>
                );
              })}
            </g>
          );
        })}
        {withBytes && (
          <polyline
            points={series.buckets
              .map((b, i) => `${(left + (i + 0.5) * bw).toFixed(1)},${yb(b.bytes ?? 0).toFixed(1)}`)
              .join(' ')}
            fill="none"
            stroke={BYTES}
            strokeWidth={1.5}
          >
            <title>{`data volume: ${bytes(series.totals.bytes ?? 0)} in the window`}</title>
          </polyline>
        )}
        {marks
          .filter((k) => inside(k.at))
          .map((k, i) => (
            <g key={k.key}>
              <line
                x1={x(Date.parse(k.at))}
                x2={x(Date.parse(k.at))}
                y1={top - 4}
                y2={h - bottom}
                stroke={k.color}
                strokeWidth={2}
                strokeDasharray={k.dash}
              >
                <title>{`${k.label}: ${dateTime(k.at)}`}</title>
              </line>
              <text
                x={x(Date.parse(k.at))}
                y={10 + (i % 2) * 10}
                fontSize={10}
                textAnchor={x(Date.parse(k.at)) > w - right - 40 ? 'end' : 'start'}
                fill="#212529"
              >
                {k.label}
              </text>
            </g>
          ))}
        {[0, 0.25, 0.5, 0.75, 1].map((f) => (
          <text
            key={f}
            x={left + f * plotW}
            y={h - 10}
            fontSize={11}
            textAnchor={f === 0 ? 'start' : f === 1 ? 'end' : 'middle'}
            fill="#343a40"
          >
            {tick.format(new Date(from + f * span))}
          </text>
        ))}
      </svg>
      <Legend series={legend} />
      <ul aria-label="Marks on the chart" style={{ fontSize: 13, margin: '8px 0 0', paddingLeft: 18 }}>
        {marks.map((k) => (
          <li key={k.key}>
            {k.label}: {dateTime(k.at)}
            {inside(k.at) ? '' : ' (outside this window)'}
          </li>
        ))}
        {allowed && m.dueAt && (
          <li>
            silence the rule allowed: {allowed}, due {dateTime(m.dueAt)}
          </li>
        )}
      </ul>
    </div>
  );
}

const minutesText = (min: number) => (min < 120 ? `${min} min` : `${Math.round((min / 60) * 10) / 10} h`);
