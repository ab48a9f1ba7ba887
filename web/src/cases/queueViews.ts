import { useCallback, useEffect, useState } from 'react';
import type { Schemas } from '../api/client.ts';

/**
 * Saved queue views: a name for a set of filters (the queue's URL query without its page). Kept in this browser's
 * localStorage, per user (the key holds the user's id), so two agents sharing a machine keep their own; the server
 * has no place for per-user preferences yet (a view does not follow the agent to another machine).
 */
export type QueueView = { name: string; search: string };

const storageKey = (userId: number) => `iotops.queueViews.${userId}`;

/** A view's query: the filters only, in a stable order, so the current URL finds the view it came from. */
export function viewSearch(search: URLSearchParams): string {
  const next = new URLSearchParams(search);
  next.delete('cursor');
  next.sort();
  return next.toString();
}

function read(userId: number): QueueView[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(storageKey(userId)) ?? '[]');
    return Array.isArray(v)
      ? v.filter((x): x is QueueView => typeof x?.name === 'string' && typeof x?.search === 'string')
      : [];
  } catch {
    return [];
  }
}

export function useQueueViews(userId: number | undefined) {
  const [views, setViews] = useState<QueueView[]>([]);
  useEffect(() => setViews(userId === undefined ? [] : read(userId)), [userId]);
  const write = useCallback(
    (next: QueueView[]) => {
      if (userId === undefined) return;
      localStorage.setItem(storageKey(userId), JSON.stringify(next));
      setViews(next);
    },
    [userId],
  );
  return {
    views,
    /** Saves (or replaces, by name) a view. */
    save: (name: string, search: string) =>
      write([...views.filter((v) => v.name !== name), { name, search }].sort((a, b) => a.name.localeCompare(b.name))),
    remove: (name: string) => write(views.filter((v) => v.name !== name)),
  };
}

type Row = Schemas['CaseSummary'];

/**
 * Live updates that never move a row under the agent's cursor: once a page is shown, each poll refreshes its rows
 * in place (state, priority, due time) but keeps their order; cases that arrived are counted, not inserted, and the
 * agent takes them in with `show` (rows gone from the filter stay until then too). New filters or another page
 * show their first answer at once; until it arrives (`placeholder`: the previous filters' rows), nothing is counted.
 */
export function useStableRows(key: string, fresh: Row[] | undefined, placeholder: boolean) {
  const [held, setHeld] = useState<{ key: string; items: Row[] } | null>(null);
  useEffect(() => {
    if (!fresh || placeholder) return;
    setHeld((h) => {
      if (!h || h.key !== key) return { key, items: fresh };
      const byNumber = new Map(fresh.map((r) => [r.number, r]));
      return { key, items: h.items.map((r) => byNumber.get(r.number) ?? r) };
    });
  }, [fresh, key, placeholder]);
  const current = held !== null && held.key === key && !placeholder;
  const items = current ? held.items : (fresh ?? []);
  const shown = new Set(items.map((r) => r.number));
  const freshNumbers = new Set((fresh ?? []).map((r) => r.number));
  return {
    items,
    arrived: current ? (fresh ?? []).filter((r) => !shown.has(r.number)).length : 0,
    gone: current ? items.filter((r) => !freshNumbers.has(r.number)).length : 0,
    show: () => fresh && setHeld({ key, items: fresh }),
  };
}
