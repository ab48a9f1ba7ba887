/**
 * Times on the case screens are shown in the user's own time zone (the browser's, through Intl); an SLA due time
 * also names the SLA calendar's zone when it differs, since the calendar's working hours are wall-clock times there
 * ("due 14:00 your time = 15:00 Europe/Stockholm").
 */

let zone: string | undefined;
/** The browser's IANA zone (Intl resolves it from the system; UTC when it cannot). Asked once: ~40 ms per call. */
export const userTimeZone = (): string => {
  zone ??= Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  return zone;
};

/** Whether two IANA names are the same zone now (Etc/UTC and UTC are). */
export function sameZone(a: string, b: string, at = new Date()): boolean {
  if (a === b) return true;
  const wall = (timeZone: string) =>
    new Intl.DateTimeFormat('en', { timeZone, hourCycle: 'h23', dateStyle: 'short', timeStyle: 'short' }).format(at);
  try {
    return wall(a) === wall(b);
  } catch {
    return false;
  }
}

/** An instant as wall-clock time in `timeZone`, in the user's language (the caller names the zone beside it). */
export function inZone(iso: string, timeZone: string, lang: string): string {
  return new Intl.DateTimeFormat(lang, { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}
