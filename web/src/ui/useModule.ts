import { useEffect, useState } from 'react';

/**
 * A value from a chunk loaded after mount, or null until it arrives: for parts of a page that may appear a moment
 * later (the shell's language picker, the case's diagnosis panel). Unlike React.lazy it never suspends, and a
 * Suspense boundary resolving holds back the commit it is revealed in by up to 300 ms (React 19 throttles reveals)
 * — with the queue's rows in that commit, that showed as idle time before the rows appeared.
 */
export function useModule<T>(load: () => Promise<T>): T | null {
  const [value, setValue] = useState<{ v: T } | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: loaded once per mount; `load` is a module-level import.
  useEffect(() => {
    let live = true;
    void load().then((v) => live && setValue({ v }));
    return () => {
      live = false;
    };
  }, []);
  return value ? value.v : null;
}
