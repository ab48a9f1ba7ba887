/**
 * A small in-process cache: entries expire at their own instant, and past `max` entries the oldest insert goes
 * (a Map iterates in insertion order). For hot read paths that may lag the database by a bounded time.
 */
export function createTtlCache<V>(max: number) {
  const entries = new Map<string, { value: V; until: number }>();
  return {
    /** The value if it is still valid at `now` (an expired entry is dropped). */
    get(key: string, now: number): V | undefined {
      const e = entries.get(key);
      if (!e) return undefined;
      if (e.until > now) return e.value;
      entries.delete(key);
      return undefined;
    },
    set(key: string, value: V, until: number): void {
      entries.delete(key);
      if (entries.size >= max) entries.delete(entries.keys().next().value!);
      entries.set(key, { value, until });
    },
    clear(): void {
      entries.clear();
    },
    /** Drops every entry whose value matches (e.g. all principals of a revoked token). */
    deleteWhere(match: (value: V) => boolean): void {
      for (const [key, e] of entries) if (match(e.value)) entries.delete(key);
    },
  };
}
