/**
 * docs/EVENTS.md, generated from the registry (scripts/check-generated.ts keeps it current): every event with its
 * producer, version, payload and subscribers, then every subscriber. A reader sees who reacts to what without
 * reading the code; a change that adds or moves a reaction shows in review as a change of this file.
 */
import { z } from 'zod';
import type { EventRegistry } from './registry.ts';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
  format?: string;
  enum?: unknown[];
  items?: JsonSchema;
};

const typeOf = (s: JsonSchema): string =>
  s.enum
    ? s.enum.map((v) => JSON.stringify(v)).join(' \\| ')
    : s.type === 'array'
      ? `${s.items ? typeOf(s.items) : 'unknown'}[]`
      : `${Array.isArray(s.type) ? s.type.join(' \\| ') : (s.type ?? 'object')}${s.format ? ` (${s.format})` : ''}`;

export function renderCatalog(registry: EventRegistry): string {
  const out: string[] = [
    '# Domain events',
    '',
    'Generated from src/events.ts by `node scripts/check-generated.ts --write`; `npm run check` fails when it is stale.',
    'How events flow: docs/ARCHITECTURE.md, "Events". Each (event, subscriber) pair is its own job of kind',
    '`event:<subscriber>`: retried and dead-lettered on its own. An ordered subscriber handles one ordering key at a time,',
    'in event order.',
    '',
    '| Event | Version | Producer | Subscribers |',
    '| --- | --- | --- | --- |',
  ];
  for (const e of registry.events) {
    const subs = registry.subscribersOf(e.name).map((s) => `\`${s.name}\``);
    out.push(`| \`${e.name}\` | ${e.version} | ${e.producer} | ${subs.join(', ') || '—'} |`);
  }
  for (const e of registry.events) {
    out.push('', `## \`${e.name}\` (v${e.version})`, '', `Produced by **${e.producer}**. ${e.description}`, '');
    const schema = z.toJSONSchema(e.payload, { io: 'input' }) as JsonSchema;
    out.push('| Payload field | Type | Required | Description |', '| --- | --- | --- | --- |');
    for (const [name, field] of Object.entries(schema.properties ?? {})) {
      const required = schema.required?.includes(name) ? 'yes' : 'no';
      out.push(`| \`${name}\` | ${typeOf(field)} | ${required} | ${field.description ?? ''} |`);
    }
    const subs = registry.subscribersOf(e.name);
    out.push('', subs.length === 0 ? 'No subscriber yet.' : 'Subscribers:', '');
    for (const s of subs)
      out.push(
        `- \`${s.name}\` (${s.module}${s.ordered ? ', ordered' : ''}${s.coalesce ? ', coalescing' : ''}, ${s.maxAttempts} attempts): ${s.description}`,
      );
  }
  return `${out.join('\n')}\n`;
}
