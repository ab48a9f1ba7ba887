import { startTransition, useEffect, useState } from 'react';

/**
 * False on the first render, true once that render has been painted: a page shows its main content first and
 * mounts secondary panels (their components, their queries) just after, in a transition the user's input can
 * interrupt. requestAnimationFrame runs before the next paint; the timeout queued from it runs after that paint.
 */
export function useAfterPaint(): boolean {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let timer = 0;
    const frame = requestAnimationFrame(() => {
      timer = window.setTimeout(() => startTransition(() => setReady(true)));
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, []);
  return ready;
}
