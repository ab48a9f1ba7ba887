import { useEffect, useState } from 'react';

/**
 * j/k or arrow keys move through a list, Enter opens the selected row: the queue is usable without a mouse.
 * Keys typed into a field are left alone.
 */
export function useListKeys(count: number, open: (index: number) => void): number {
  const [selected, setSelected] = useState(0);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      if (el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName))) return;
      if (e.key === 'j' || e.key === 'ArrowDown') setSelected((s) => Math.min(s + 1, Math.max(count - 1, 0)));
      else if (e.key === 'k' || e.key === 'ArrowUp') setSelected((s) => Math.max(s - 1, 0));
      else if (e.key === 'Enter' && count > 0) open(Math.min(selected, count - 1));
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [count, open, selected]);
  return Math.min(selected, Math.max(count - 1, 0));
}
