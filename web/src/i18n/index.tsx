import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { en, type MessageKey } from './en.ts';
import { de, fr, it, ru, sv } from './others.ts';

export const LANGUAGES = ['en', 'fr', 'de', 'it', 'ru', 'sv'] as const;
export type Language = (typeof LANGUAGES)[number];
const catalogs: Record<Language, Partial<Record<MessageKey, string>>> = { en, fr, de, it, ru, sv };

export const isLanguage = (l: string | null | undefined): l is Language =>
  (LANGUAGES as readonly string[]).includes(l ?? '');

type I18n = {
  lang: Language;
  t: (key: MessageKey) => string;
  /** Dates and times in the user's locale and time zone. */
  dateTime: (iso: string | null | undefined) => string;
  number: (n: number) => string;
};

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ lang, children }: { lang: Language; children: ReactNode }) {
  const value = useMemo<I18n>(() => {
    const catalog = catalogs[lang];
    const dtf = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
    const nf = new Intl.NumberFormat(lang);
    return {
      lang,
      t: (key) => catalog[key] ?? en[key],
      dateTime: (iso) => (iso ? dtf.format(new Date(iso)) : '—'),
      number: (n) => nf.format(n),
    };
  }, [lang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
