/**
 * How network commands reach a simulator in its own process: it polls iotops's feed of what the simulated network
 * adapter sent (GET /api/v1/network/simulated-commands, authenticated with the simulator's ingest secret). The first
 * poll only learns where the feed stands (a new simulator does not replay old resets); later polls look a little
 * behind the newest id seen, because two workers may commit their commands out of id order — the simulation applies
 * an id once, so what is seen twice costs nothing.
 */
import { type CommandListener, SimCommandPage } from './commands.ts';

export type CommandFeed = { listen(l: CommandListener): () => void; close(): void };

const LOOK_BEHIND = 50;

export function pollCommandFeed(o: {
  url: string;
  token: string | undefined;
  everyMs?: number;
  onNotice?: (text: string) => void;
}): CommandFeed {
  const base = o.url.endsWith('/') ? o.url : `${o.url}/`;
  const listeners = new Set<CommandListener>();
  let last: number | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const poll = async (): Promise<void> => {
    const url = new URL('api/v1/network/simulated-commands', base);
    if (last !== null) url.searchParams.set('after', String(Math.max(0, last - LOOK_BEHIND)));
    let res: Response;
    try {
      res = await fetch(url, { headers: o.token ? { authorization: `Bearer ${o.token}` } : {} });
    } catch {
      return; // iotops restarting: try again at the next poll
    }
    if (res.status === 401 || res.status === 403 || res.status === 404) {
      // Nothing will ever come (no credential for it, or an iotops without network actions): say so once, stop.
      o.onNotice?.(`network commands off: HTTP ${res.status} from ${url.pathname}`);
      stopped = true;
      return;
    }
    if (!res.ok) return;
    const page = SimCommandPage.safeParse(await res.json());
    if (!page.success) return;
    if (last !== null) for (const c of page.data.items) for (const l of listeners) l(c);
    last = Math.max(last ?? 0, page.data.last);
  };

  const loop = () => {
    if (stopped) return;
    timer = setTimeout(() => void poll().finally(loop), o.everyMs ?? 1000);
  };
  void poll().finally(loop);

  return {
    listen(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    close() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
