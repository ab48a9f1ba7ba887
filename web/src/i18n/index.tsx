import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { en, type MessageKey } from './en.ts';
import { de, fr, it, ru, sv } from './others.ts';
import { type PortalKey, portalCatalogs } from './portal.ts';

export const LANGUAGES = ['en', 'fr', 'de', 'it', 'ru', 'sv'] as const;
export type Language = (typeof LANGUAGES)[number];
const catalogs: Record<Language, Partial<Record<MessageKey, string>>> = { en, fr, de, it, ru, sv };

export const isLanguage = (l: string | null | undefined): l is Language =>
  (LANGUAGES as readonly string[]).includes(l ?? '');

/** The enum families the portal shows in the customer's words (portal.ts and portal-alarms.ts `enum.<family>.<value>`). */
export type EnumFamily =
  | 'caseState'
  | 'caseType'
  | 'simState'
  | 'network'
  | 'verdict'
  | 'alarmType'
  | 'alarmSeverity'
  | 'alarmStatus';

type I18n = {
  lang: Language;
  t: (key: MessageKey | PortalKey) => string;
  /** An API enum value in the user's language; an unknown value shows as it came (never blank). */
  enumText: (family: EnumFamily, value: string | null | undefined) => string;
  /** A byte count as kB/MB/GB with the locale's digits. */
  bytes: (n: number) => string;
  /** Dates and times in the user's locale and time zone. */
  dateTime: (iso: string | null | undefined) => string;
  number: (n: number) => string;
  /** A language's name in the user's language, with its code: "Swedish (sv)". */
  languageName: (code: string) => string;
};

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ lang, children }: { lang: Language; children: ReactNode }) {
  const value = useMemo<I18n>(() => {
    const catalog = catalogs[lang];
    const portal = portalCatalogs[lang] as Record<string, string>;
    const t = (key: MessageKey | PortalKey) =>
      portal[key] ?? catalog[key as MessageKey] ?? en[key as MessageKey] ?? key;
    const dtf = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
    // Made on first use: each Intl constructor costs ~40 ms on a fresh page here, and the first screens show no
    // numbers through it (the date formatter is needed at once by the queue and the timeline).
    let nf: Intl.NumberFormat | null = null;
    let names: Intl.DisplayNames | null = null;
    return {
      lang,
      t,
      enumText: (family, value) => (value ? (portal[`enum.${family}.${value}`] ?? value.replace(/_/g, ' ')) : '—'),
      bytes: (n) => {
        const units = ['B', 'kB', 'MB', 'GB', 'TB'];
        let i = 0;
        let v = n;
        while (v >= 1000 && i < units.length - 1) {
          v /= 1000;
          i++;
        }
        return `${new Intl.NumberFormat(lang, { maximumFractionDigits: v < 10 && i > 0 ? 1 : 0 }).format(v)} ${units[i]}`;
      },
      dateTime: (iso) => (iso ? dtf.format(new Date(iso)) : '—'),
      number: (n) => {
        nf ??= new Intl.NumberFormat(lang);
        return nf.format(n);
      },
      languageName: (code) => {
        names ??= new Intl.DisplayNames([lang], { type: 'language' });
        return `${names.of(code) ?? code} (${code})`;
      },
    };
  }, [lang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
