/**
 * Typed domain events and their subscribers (docs/ARCHITECTURE.md, "Events"). A module declares what it announces
 * in `<module>.events.ts` with `defineEvent`, and what it reacts to in `<module>.subscribers.ts` with
 * `defineSubscriber`; src/events.ts lists both for the whole system, and the registry (registry.ts) refuses at
 * start-up an event nobody declared or a subscriber declared twice. A subscriber names the events it handles and
 * gets each one as its own job: retried and dead-lettered on its own, never in the way of another subscriber.
 */
import type { z } from 'zod';
import type { JobInfo } from '../jobs/queue.ts';

export type EventDef<S extends z.ZodType = z.ZodType> = {
  /** `<module>.<what happened>`, past tense: `cases.changed`, `sims.added`. */
  readonly name: string;
  /** Bumped when the payload changes incompatibly; the catalog shows it, webhooks carry it. */
  readonly version: number;
  /** The module that emits it (the only one that may). */
  readonly producer: string;
  readonly description: string;
  readonly payload: S;
};

export function defineEvent<S extends z.ZodType>(def: EventDef<S>): EventDef<S> {
  return def;
}

/** An event as a subscriber receives it. */
export type DeliveredEvent<P = unknown> = {
  /** The event's id: the same for every subscriber, so a handler can deduplicate on it. */
  readonly id: number;
  readonly name: string;
  readonly version: number;
  readonly occurredAt: string;
  readonly orderingKey: string | null;
  readonly payload: P;
};

export type Subscriber = {
  /** `<module>.<what it does>`, unique: its jobs are of kind `event:<name>`. */
  readonly name: string;
  /** The module it belongs to (for the catalog). */
  readonly module: string;
  readonly description: string;
  readonly on: readonly EventDef[];
  /**
   * Ordered: this subscriber's jobs of one ordering key (one case, one SIM) run one at a time in event order; a
   * failing one holds the later ones of its key until it succeeds or is dead. Unordered subscribers run in parallel.
   */
  readonly ordered: boolean;
  /**
   * Coalescing (ordered subscribers only): the handler acts on the key's current state, so one run also covers the
   * events of its key queued behind it when it starts; they are finished with it (an SLA recompute per case, not
   * per change).
   */
  readonly coalesce?: boolean;
  readonly maxAttempts: number;
  handle(event: DeliveredEvent, job: JobInfo): Promise<void>;
  /**
   * Several events at once, when the worker claimed several of this subscriber's jobs together (set-based work:
   * the webhooks fan-out reads the cases of a hundred events in one query). If it throws, each runs alone.
   */
  handleMany?(events: DeliveredEvent[], job: JobInfo): Promise<void>;
};

/** A subscriber of one event, its payload typed by the event's schema. */
export function defineSubscriber<S extends z.ZodType>(s: {
  name: string;
  module: string;
  description: string;
  on: EventDef<S>;
  ordered?: boolean;
  coalesce?: boolean;
  maxAttempts?: number;
  handle: (payload: z.output<S>, event: DeliveredEvent<z.output<S>>, job: JobInfo) => Promise<void>;
}): Subscriber {
  return {
    name: s.name,
    module: s.module,
    description: s.description,
    on: [s.on],
    ordered: s.ordered ?? false,
    ...(s.coalesce ? { coalesce: true } : {}),
    maxAttempts: s.maxAttempts ?? 5,
    handle: (e, job) => s.handle(e.payload as z.output<S>, e as DeliveredEvent<z.output<S>>, job),
  };
}

/** A subscriber of several events (webhooks, the catalog's consumers of everything). */
export function defineMultiSubscriber(
  s: Omit<Subscriber, 'ordered' | 'maxAttempts'> & {
    ordered?: boolean;
    maxAttempts?: number;
  },
): Subscriber {
  return { ...s, ordered: s.ordered ?? false, maxAttempts: s.maxAttempts ?? 5 };
}

/** Every event subscriber's job kind starts so (retention, dashboards). */
export const EVENT_JOB_PREFIX = 'event:';
export const subscriberJobKind = (subscriber: string) => `${EVENT_JOB_PREFIX}${subscriber}`;
