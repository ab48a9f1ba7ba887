/**
 * What the demo's past cases say: subjects per device class and case type, with the resolutions agents wrote.
 * `{n}` is a number and `{place}` one of the customer's places; pure data for demo.history.ts.
 */
import type { DemoAccount } from './demo.data.ts';

export type DeviceClass = NonNullable<DemoAccount['deviceClass']>;
export type Topic = { subject: string; resolution: string; tags?: string[] };

export const PLACES: Record<DeviceClass, readonly string[]> = {
  meter: ['Kiruna', 'Luleå', 'Umeå', 'Västerås', 'Södermalm', 'Solna', 'Gällivare'],
  tracker: ['Italy', 'Austria', 'the Fréjus tunnel', 'Switzerland', 'the Lyon–Milan route', 'Slovenia'],
  router: ['Munich', 'Nuremberg', 'Augsburg', 'Regensburg', 'Stuttgart', 'Würzburg'],
  machine: ['Yekaterinburg', 'Almaty', 'Karaganda', 'plant 2', 'the Astana depot'],
  vending: ['Manchester', 'Leeds', 'Birmingham', 'Bristol', 'Liverpool', 'Glasgow'],
};

export const INCIDENTS: Record<DeviceClass, readonly Topic[]> = {
  meter: [
    {
      subject: 'Meters in {place} stopped reporting overnight',
      resolution: 'A cell site near {place} was down; the operator restored it and the meters reported again.',
      tags: ['coverage'],
    },
    {
      subject: '{n} meters attach but send no readings',
      resolution: 'The meters asked for a mistyped APN; corrected by configuration SMS, readings arrive again.',
      tags: ['apn'],
    },
    {
      subject: 'Meter SIMs rejected after the plan change',
      resolution: 'The new plan lacked NB-IoT; added to the communication plan, the SIMs attach again.',
    },
    {
      subject: 'Readings from {place} arrive hours late',
      resolution: 'The meters retried on 2G after a firmware default; reconfigured to LTE-M, readings are on time.',
    },
  ],
  tracker: [
    {
      subject: 'Trackers lose data when roaming in {place}',
      resolution: 'The roaming partner fixed a fault on their data gateway; positions flow again.',
      tags: ['roaming'],
    },
    {
      subject: 'Truck {n} tracker offline since the border',
      resolution: 'The tracker stayed on a barred network; steered to the preferred partner, it reports again.',
      tags: ['roaming'],
    },
    {
      subject: 'Tracker SIM refused after a device swap',
      resolution: 'The SIM was moved into a new tracker (new IMEI); the IMEI lock was released on request.',
    },
    {
      subject: 'No positions from the {place} fleet this morning',
      resolution: 'A partner network outage in {place}; it ended at 10:40 and the fleet re-attached by itself.',
      tags: ['roaming', 'outage'],
    },
  ],
  router: [
    {
      subject: 'Store {n} router has no 4G backup',
      resolution: 'The backup APN was missing from the store’s SIM profile; added, failover tested with the store.',
      tags: ['apn'],
    },
    {
      subject: 'Slow data on the store routers in {place}',
      resolution: 'The routers were locked to 4G on a congested cell; 5G enabled on the plan, speeds are normal.',
    },
    {
      subject: 'Router in store {n} drops its session every hour',
      resolution: 'A keep-alive setting on the router closed idle sessions; the customer changed it.',
    },
  ],
  machine: [
    {
      subject: 'Press line {n} controller offline',
      resolution: 'The controller’s SIM was suspended by a spending limit; limit raised, the line reports again.',
    },
    {
      subject: 'Machine telemetry missing since the maintenance in {place}',
      resolution: 'The technician swapped the modem; the SIM was re-activated for the new IMEI.',
    },
    {
      subject: 'Controller attaches but gets no data session',
      resolution: 'The controller used a mistyped APN; corrected remotely, data flows again.',
      tags: ['apn'],
    },
  ],
  vending: [
    {
      subject: 'Vending machines in {place} not reporting sales',
      resolution: 'A local outage of the partner network in {place}; service restored, sales reports caught up.',
      tags: ['outage'],
    },
    {
      subject: 'Card payments failing on machine {n}',
      resolution: 'The machine’s SIM had used its allowance; moved to the larger plan, payments work.',
    },
    {
      subject: 'Low-stock SMS from the machines not arriving',
      resolution: 'SMS was not in the communication plan; added, the alerts arrive.',
    },
  ],
};

export const SERVICE_REQUESTS: readonly Topic[] = [
  { subject: 'Activate {n} SIMs from stock', resolution: 'The {n} SIMs are activated and on their plan.' },
  { subject: 'Change the rate plan of {n} SIMs', resolution: 'Rate plan changed for the {n} SIMs from the 1st.' },
  { subject: 'Deactivate {n} SIMs of returned devices', resolution: 'The {n} SIMs are deactivated; no more fees.' },
  { subject: 'Enable SMS on {n} SIMs', resolution: 'SMS enabled on the communication plan of the {n} SIMs.' },
  { subject: 'Rename the SIM labels of the {place} site', resolution: 'Labels updated on every SIM of the site.' },
  { subject: 'Move {n} SIMs to another sub-account', resolution: 'The {n} SIMs are moved; invoices follow.' },
  { subject: 'Add a private APN for {place}', resolution: 'The APN is added to the plan and tested with a SIM.' },
];

export const INFORMATION_REQUESTS: readonly Topic[] = [
  { subject: 'Roaming coverage in {place}', resolution: 'Sent the list of partner networks and the RATs they allow.' },
  { subject: 'Invoice question: overage last month', resolution: 'Explained the overage: {n} SIMs outside the pool.' },
  { subject: 'Data usage report for last month', resolution: 'Sent the usage per SIM as CSV; the portal has it too.' },
  { subject: 'When does 2G end in {place}?', resolution: 'Answered with the operators’ sunset dates and our plan.' },
  { subject: 'How is the pool allowance shared?', resolution: 'Explained pooling across the account tree.' },
  { subject: 'API access for our monitoring', resolution: 'Explained tokens and scopes; a read token is created.' },
];

export const ORDERS: readonly Topic[] = [
  { subject: 'Order {n} SIMs for new devices', resolution: 'The {n} SIMs are shipped, activation-ready.' },
  { subject: 'Order {n} eSIM profiles', resolution: 'The {n} profiles are ready for download.' },
  { subject: 'Order replacement SIMs for {place}', resolution: 'Replacement SIMs delivered; the old ones retired.' },
  { subject: 'Order {n} SIMs, delivery to {place}', resolution: 'Delivered to {place}; tracking sent by e-mail.' },
];

export const FIRST_REPLIES = [
  'Thank you, we are on it and will come back to you shortly.',
  'Thanks for reporting this; we are checking the SIMs on the network now.',
  'Received. We are looking into it and will keep you updated.',
];
export const WORK_NOTES = [
  'Trace on two of the SIMs: see the diagnosis entry.',
  'Checked the HLR and the plan: nothing wrong on our side so far.',
  'Asked the network team to look at the cells in question.',
  'Compared with last week’s traffic: the drop starts on the same day.',
];
export const UPDATES = [
  'Update: still working on it with the network team; next update tomorrow.',
  'Update: we have narrowed it down and are testing a fix.',
  'Update: the partner is working on it; we follow it daily.',
];
export const QUESTIONS = [
  'Could you tell us the ICCIDs of the devices concerned?',
  'Could you confirm the APN set on the devices?',
  'Could you send us the invoice number and the period?',
];
export const CUSTOMER_REPLIES = [
  'Here are the details you asked for.',
  'Confirmed, see below.',
  'Thanks, the list is attached.',
];
export const PROVIDER_NOTES = [
  'Ticket opened with the roaming partner; waiting for their analysis.',
  'Handed to the partner’s NOC; they confirm a fault on their side.',
];
