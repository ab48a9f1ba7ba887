import { useSearchParams } from 'react-router';

/**
 * A list's filters and page live in the URL (deep links, reload). `set` replaces one filter (several values are
 * repeated keys); any filter change drops the cursor, since the old page means nothing under new filters.
 */
export function useUrlFilters() {
  const [search, setSearch] = useSearchParams();
  const set = (key: string, value: string | string[] | null) => {
    const next = new URLSearchParams(search);
    next.delete(key);
    for (const v of Array.isArray(value) ? value : value ? [value] : []) next.append(key, v);
    if (key !== 'cursor') next.delete('cursor');
    setSearch(next);
  };
  return { search, set };
}
