/**
 * The system's events and subscribers, checked once at start-up (src/events.ts builds it): every subscribed event
 * is declared, no event is declared twice, no subscriber name is taken twice, and an event is only emitted by the
 * module that declares it (the catalog says which). The registry gives the worker one job handler per subscriber
 * and the dispatcher the fan-out table.
 */
import { z } from 'zod';
import { defineJob, type JobHandler } from '../jobs/queue.ts';
import { type DeliveredEvent, type EventDef, type Subscriber, subscriberJobKind } from './define.ts';

export type EventRegistry = ReturnType<typeof createEventRegistry>;

const Envelope = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  version: z.number().int().positive(),
  occurredAt: z.string(),
  orderingKey: z.string().nullable(),
  payload: z.unknown(),
});

export function createEventRegistry(events: readonly EventDef[], subscribers: readonly Subscriber[]) {
  const problems: string[] = [];
  const byName = new Map<string, EventDef>();
  for (const e of events) {
    if (byName.has(e.name)) problems.push(`event ${e.name} is declared twice`);
    if (!/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/.test(e.name))
      problems.push(`event ${e.name}: a name is <module>.<what_happened>`);
    if (e.name.split('.')[0] !== e.producer.replaceAll('-', '_'))
      problems.push(`event ${e.name}: its name does not start with its producer ${e.producer}`);
    byName.set(e.name, e);
  }
  const subscriberNames = new Set<string>();
  for (const s of subscribers) {
    if (subscriberNames.has(s.name)) problems.push(`subscriber ${s.name} is declared twice`);
    subscriberNames.add(s.name);
    if (s.on.length === 0) problems.push(`subscriber ${s.name} handles no event`);
    for (const e of s.on) {
      if (byName.get(e.name) !== e) problems.push(`subscriber ${s.name} handles ${e.name}, which no module declares`);
    }
    if (new Set(s.on.map((e) => e.name)).size !== s.on.length)
      problems.push(`subscriber ${s.name} names an event twice`);
    if (s.coalesce && !s.ordered) problems.push(`subscriber ${s.name} coalesces but is not ordered (nothing to cover)`);
  }
  // Start-up fails here: a subscriber that would never run, or one that silently replaces another, is a bug.
  if (problems.length > 0) throw new Error(`the event registry is invalid:\n- ${problems.join('\n- ')}`);

  const subscribersOf = (name: string) => subscribers.filter((s) => s.on.some((e) => e.name === name));

  /** The worker's handler for a subscriber's jobs: the envelope, then the payload against its event's schema. */
  function handlerOf(s: Subscriber): JobHandler {
    const handled = new Map(s.on.map((e) => [e.name, e]));
    const schema = Envelope.transform((env, ctx) => {
      const def = handled.get(env.name);
      if (!def) {
        ctx.addIssue({ code: 'custom', path: ['name'], message: `${s.name} does not handle ${env.name}` });
        return z.NEVER;
      }
      const parsed = def.payload.safeParse(env.payload);
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          ctx.addIssue({ code: 'custom', path: ['payload', ...issue.path], message: issue.message });
        return z.NEVER;
      }
      return { ...env, payload: parsed.data } as DeliveredEvent;
    });
    const many = s.handleMany?.bind(s);
    return defineJob(schema, (event, job) => s.handle(event, job), {
      ...(many ? { runMany: many } : {}),
      ...(s.coalesce ? { coalesce: true } : {}),
    });
  }

  return {
    events: [...events],
    subscribers: [...subscribers],
    eventNames: [...byName.keys()],
    subscribersOf,
    /** Every subscriber's job handler, by job kind (merged into the worker's handlers by src/jobs.ts). */
    jobHandlers(): Record<string, JobHandler> {
      return Object.fromEntries(subscribers.map((s) => [subscriberJobKind(s.name), handlerOf(s)]));
    },
    /** The fan-out table: one row per (event, subscriber). */
    routes(): { event: string; kind: string; maxAttempts: number; ordered: boolean }[] {
      return subscribers.flatMap((s) =>
        s.on.map((e) => ({
          event: e.name,
          kind: subscriberJobKind(s.name),
          maxAttempts: s.maxAttempts,
          ordered: s.ordered,
        })),
      );
    },
  };
}
