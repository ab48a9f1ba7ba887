/**
 * Small SVG charts: a few dozen lines instead of a chart library (the console's first load stays small). Each
 * chart is an `img` with a label, and every bar has a title with its value for hover and screen readers.
 */
export type Series = { key: string; color: string; label: string };
export type BarDatum = { label: string; values: Record<string, number> };

export function StackedBars({
  data,
  series,
  label,
  height = 180,
  marks = [],
}: {
  data: BarDatum[];
  series: Series[];
  label: string;
  height?: number;
  /** Reference values drawn as ticks over each bar (e.g. the field's handling times). */
  marks?: (number | null)[];
}) {
  const w = 640;
  const top = 10;
  const bottom = 34;
  const max = Math.max(
    1,
    ...data.map((d) => series.reduce((s, x) => s + (d.values[x.key] ?? 0), 0)),
    ...marks.map((m) => m ?? 0),
  );
  const bw = data.length > 0 ? w / data.length : w;
  const y = (v: number) => ((height - top - bottom) * v) / max;
  return (
    <svg viewBox={`0 0 ${w} ${height}`} width="100%" height={height} role="img" aria-label={label}>
      {data.map((d, i) => {
        let acc = 0;
        const mark = marks[i];
        return (
          <g key={d.label}>
            {series.map((s) => {
              const v = d.values[s.key] ?? 0;
              const h = y(v);
              acc += h;
              return (
                <rect
                  key={s.key}
                  x={i * bw + 4}
                  y={height - bottom - acc}
                  width={Math.max(bw - 8, 2)}
                  height={h}
                  fill={s.color}
                >
                  <title>{`${d.label} — ${s.label}: ${Number.isInteger(v) ? v : v.toFixed(1)}`}</title>
                </rect>
              );
            })}
            {mark != null && (
              <line
                x1={i * bw + 2}
                x2={(i + 1) * bw - 2}
                y1={height - bottom - y(mark)}
                y2={height - bottom - y(mark)}
                stroke="#c92a2a"
                strokeWidth={2}
                strokeDasharray="4 3"
              >
                <title>{`${d.label} — reference ${mark}`}</title>
              </line>
            )}
            <text x={i * bw + bw / 2} y={height - 18} fontSize={11} textAnchor="middle" fill="#212529">
              {d.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function Legend({ series }: { series: Series[] }) {
  return (
    <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap', fontSize: 12 }}>
      {series.map((s) => (
        <span key={s.key}>
          <span style={{ display: 'inline-block', width: 10, height: 10, background: s.color, marginRight: 4 }} />
          {s.label}
        </span>
      ))}
    </div>
  );
}
