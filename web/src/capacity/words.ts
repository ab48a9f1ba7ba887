/** Link speeds and day counts as the capacity screens show them. */

/** 20000 → "20 Mbit/s", 512 → "512 kbit/s" (the server's proposal text writes them the same way). */
export function speedText(kbps: number | null | undefined): string {
  if (kbps == null) return '—';
  const fmt = (v: number) => String(Math.round(v * 100) / 100);
  if (kbps >= 1_000_000) return `${fmt(kbps / 1_000_000)} Gbit/s`;
  if (kbps >= 1000) return `${fmt(kbps / 1000)} Mbit/s`;
  return `${fmt(kbps)} kbit/s`;
}

/** A calendar day (YYYY-MM-DD) in the user's locale: the forecast's days are UTC days, shown as such. */
export function dayText(lang: string, day: string, style: 'medium' | 'short' = 'medium'): string {
  const f =
    style === 'medium'
      ? new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' })
      : new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'short', timeZone: 'UTC' });
  return f.format(new Date(`${day}T00:00:00Z`));
}

export const pctText = (v: number | null | undefined) => (v == null ? '—' : `${v.toFixed(1)} %`);
export const trendText = (v: number | null | undefined) =>
  v == null ? '—' : `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(1)}`;
