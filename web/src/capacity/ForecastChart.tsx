import { Legend, type Series } from '../ui/charts.tsx';
import { dayText } from './words.ts';

type Point = { day: string; p95Pct: number };

const MEASURED = '#1864ab';
const FORECAST = '#c2410c';
const LEVEL = '#c92a2a';
const SERIES: Series[] = [
  { key: 'measured', color: MEASURED, label: 'measured daily p95' },
  { key: 'forecast', color: FORECAST, label: 'forecast' },
  { key: 'level', color: LEVEL, label: 'saturation level' },
];

/**
 * The link's daily p95, measured then forecast, against the saturation level: two SVG polylines on one day axis (no
 * chart library, as the other console charts). Each point has a title with its day and value for hover.
 */
export function ForecastChart({
  history,
  forecast,
  level,
  lang,
}: {
  history: Point[];
  forecast: Point[];
  level: number;
  lang: string;
}) {
  const w = 760;
  const h = 260;
  const left = 44;
  const right = 12;
  const top = 12;
  const bottom = 28;
  const all = [...history, ...forecast];
  if (all.length === 0) return null;
  const dayOf = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
  const first = dayOf(all[0]!.day);
  const last = dayOf(all[all.length - 1]!.day);
  const x = (d: string) => left + ((dayOf(d) - first) / Math.max(1, last - first)) * (w - left - right);
  const y = (v: number) => top + (1 - Math.min(100, Math.max(0, v)) / 100) * (h - top - bottom);
  const line = (ps: Point[]) => ps.map((p) => `${x(p.day).toFixed(1)},${y(p.p95Pct).toFixed(1)}`).join(' ');
  // The forecast starts from the last measured day, so the two lines meet.
  const joined = history.length > 0 ? [history[history.length - 1]!, ...forecast] : forecast;
  const over = forecast.find((p) => p.p95Pct >= level);
  const today = forecast[0];
  const label = `Daily p95 link utilisation: ${history.length} days measured, ${forecast.length} days forecast, against the ${level} % saturation level${over ? `; forecast to reach it on ${dayText(lang, over.day)}` : ''}`;
  return (
    <div>
      <svg viewBox={`0 0 ${w} ${h}`} width="100%" role="img" aria-label={label}>
        {[0, 25, 50, 75, 100].map((v) => (
          <g key={v}>
            <line x1={left} x2={w - right} y1={y(v)} y2={y(v)} stroke="#dee2e6" />
            <text x={left - 6} y={y(v) + 4} fontSize={11} textAnchor="end" fill="#343a40">
              {v} %
            </text>
          </g>
        ))}
        <line
          x1={left}
          x2={w - right}
          y1={y(level)}
          y2={y(level)}
          stroke={LEVEL}
          strokeWidth={1.5}
          strokeDasharray="6 4"
        >
          <title>{`saturation level ${level} %`}</title>
        </line>
        {today && (
          <g>
            <line x1={x(today.day)} x2={x(today.day)} y1={top} y2={h - bottom} stroke="#868e96" strokeDasharray="2 3" />
            <text x={x(today.day)} y={h - 10} fontSize={11} textAnchor="middle" fill="#343a40">
              today
            </text>
          </g>
        )}
        <text x={left} y={h - 10} fontSize={11} textAnchor="start" fill="#343a40">
          {dayText(lang, all[0]!.day, 'short')}
        </text>
        <text x={w - right} y={h - 10} fontSize={11} textAnchor="end" fill="#343a40">
          {dayText(lang, all[all.length - 1]!.day, 'short')}
        </text>
        <polyline points={line(history)} fill="none" stroke={MEASURED} strokeWidth={2} />
        <polyline points={line(joined)} fill="none" stroke={FORECAST} strokeWidth={2} strokeDasharray="5 3" />
        {all.map((p, i) => (
          <circle
            key={`${p.day}-${i < history.length ? 'm' : 'f'}`}
            cx={x(p.day)}
            cy={y(p.p95Pct)}
            r={2.5}
            fill={i < history.length ? MEASURED : FORECAST}
          >
            <title>{`${dayText(lang, p.day)}: ${p.p95Pct.toFixed(1)} % (${i < history.length ? 'measured' : 'forecast'})`}</title>
          </circle>
        ))}
        {over && (
          <circle cx={x(over.day)} cy={y(over.p95Pct)} r={6} fill="none" stroke={LEVEL} strokeWidth={2}>
            <title>{`forecast to reach ${level} % on ${dayText(lang, over.day)}`}</title>
          </circle>
        )}
      </svg>
      <Legend series={SERIES} />
    </div>
  );
}
