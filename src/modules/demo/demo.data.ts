/**
 * The demo provider: a handful of customers that look like the field — a utility with meters, a logistics firm
 * with trackers roaming across Europe, a retail chain with routers, an industrial OEM, a vending operator —
 * each with an account tree, contacts in their languages, and plans. Pure data; demo.service.ts loads it.
 */
import type { Language } from '../accounts/accounts.schemas.ts';

export type DemoAccount = {
  number: string;
  name: string;
  kind?: 'enterprise' | 'sub_account' | 'end_consumer';
  vipTier: 'standard' | 'silver' | 'gold' | 'platinum';
  language: Language;
  timeZone: string;
  country: string;
  contacts?: {
    name: string;
    email: string;
    phone?: string;
    language?: Language;
    roles: ('technical' | 'billing' | 'escalation' | 'commercial' | 'primary')[];
  }[];
  children?: DemoAccount[];
  /** How many of the demo's SIMs land on this account (weights). */
  simShare?: number;
  deviceClass?: 'meter' | 'tracker' | 'router' | 'machine' | 'vending';
};

export const DEMO_CUSTOMERS: DemoAccount[] = [
  {
    number: 'NORDGRID',
    name: 'Nordgrid Energi AB',
    vipTier: 'platinum',
    language: 'sv',
    timeZone: 'Europe/Stockholm',
    country: 'SE',
    contacts: [
      {
        name: 'Karin Lindqvist',
        email: 'karin.lindqvist@nordgrid.example',
        phone: '+46701234567',
        roles: ['technical', 'primary'],
      },
      { name: 'Johan Berg', email: 'johan.berg@nordgrid.example', roles: ['billing'] },
      { name: 'NOC Nordgrid', email: 'noc@nordgrid.example', phone: '+46812345678', roles: ['escalation'] },
    ],
    children: [
      {
        number: 'NORDGRID-STHLM',
        name: 'Nordgrid Stockholm Metering',
        vipTier: 'platinum',
        language: 'sv',
        timeZone: 'Europe/Stockholm',
        country: 'SE',
        simShare: 25,
        deviceClass: 'meter',
      },
      {
        number: 'NORDGRID-NORR',
        name: 'Nordgrid Norrland',
        vipTier: 'platinum',
        language: 'sv',
        timeZone: 'Europe/Stockholm',
        country: 'SE',
        simShare: 10,
        deviceClass: 'meter',
        children: [
          {
            number: 'NORDGRID-NORR-KIRUNA',
            name: 'Kiruna Fjärrvärme',
            kind: 'end_consumer',
            vipTier: 'gold',
            language: 'sv',
            timeZone: 'Europe/Stockholm',
            country: 'SE',
            simShare: 3,
            deviceClass: 'meter',
          },
        ],
      },
    ],
  },
  {
    number: 'TRANSALP',
    name: 'TransAlp Logistique SA',
    vipTier: 'gold',
    language: 'fr',
    timeZone: 'Europe/Paris',
    country: 'FR',
    contacts: [
      {
        name: 'Camille Durand',
        email: 'camille.durand@transalp.example',
        phone: '+33612345678',
        roles: ['technical', 'primary'],
      },
      { name: 'Luca Bianchi', email: 'luca.bianchi@transalp.example', language: 'it', roles: ['technical'] },
      { name: 'Service facturation', email: 'factures@transalp.example', roles: ['billing'] },
    ],
    children: [
      {
        number: 'TRANSALP-FLEET',
        name: 'TransAlp Flotte Europe',
        vipTier: 'gold',
        language: 'fr',
        timeZone: 'Europe/Paris',
        country: 'FR',
        simShare: 20,
        deviceClass: 'tracker',
      },
      {
        number: 'TRANSALP-IT',
        name: 'TransAlp Italia Srl',
        vipTier: 'gold',
        language: 'it',
        timeZone: 'Europe/Rome',
        country: 'IT',
        simShare: 8,
        deviceClass: 'tracker',
      },
    ],
  },
  {
    number: 'KAUFNET',
    name: 'KaufNet Handels GmbH',
    vipTier: 'silver',
    language: 'de',
    timeZone: 'Europe/Berlin',
    country: 'DE',
    simShare: 12,
    deviceClass: 'router',
    contacts: [
      {
        name: 'Stefan Wagner',
        email: 'stefan.wagner@kaufnet.example',
        phone: '+4915112345678',
        roles: ['technical', 'escalation'],
      },
      { name: 'Anna Schmidt', email: 'anna.schmidt@kaufnet.example', roles: ['billing', 'commercial'] },
    ],
  },
  {
    number: 'URALMASH',
    name: 'UralMash Service LLC',
    vipTier: 'standard',
    language: 'ru',
    timeZone: 'Asia/Yekaterinburg',
    country: 'KZ',
    simShare: 7,
    deviceClass: 'machine',
    contacts: [
      {
        name: 'Dmitri Ivanov',
        email: 'd.ivanov@uralmash.example',
        phone: '+77012345678',
        roles: ['technical', 'primary'],
      },
    ],
  },
  {
    number: 'SNACKBOX',
    name: 'SnackBox Vending Ltd',
    vipTier: 'standard',
    language: 'en',
    timeZone: 'Europe/London',
    country: 'GB',
    simShare: 15,
    deviceClass: 'vending',
    contacts: [
      {
        name: 'Oliver Hughes',
        email: 'oliver.hughes@snackbox.example',
        phone: '+447700900123',
        roles: ['technical', 'billing', 'primary'],
      },
    ],
  },
];

/** Home network of the demo provider's SIMs: IMSIs start with this MCC+MNC. */
export const DEMO_HOME_PLMN = '24007';
