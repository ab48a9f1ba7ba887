/**
 * `bench/web.bench.ts --profile DIR`: a CPU profile of the last run's two navigations, taken through the Chrome
 * DevTools protocol (no extra tooling: open the .cpuprofile files in Chromium's DevTools), and a summary printed
 * beside the figures — where the page's main thread spent its time, by script and by function. Build the console
 * with `npx vite build web --minify false` first to read function names instead of minified ones.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** Starts sampling the page's main thread; `stop(name)` writes DIR/name.cpuprofile and returns a summary. */
export async function startProfile(page: Page, dir: string) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return async (name: string) => {
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
    await cdp.detach();
    writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    return summarise(profile);
  };
}

const file = (url: string) => (url ? (url.split('/').pop() ?? url) : '(native)');

/** Self time by script and the top functions by self time, in ms. */
function summarise(p: Profile): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const [i, id] of p.samples.entries()) self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  const byScript = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, ms] of self) {
    const f = byId.get(id)!.callFrame;
    const script = f.functionName.startsWith('(') ? f.functionName : file(f.url);
    byScript.set(script, (byScript.get(script) ?? 0) + ms);
    const fn = `${f.functionName || '(anonymous)'} ${file(f.url)}:${f.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `    ${v.toFixed(0).padStart(5)} ms  ${k}`)
      .join('\n');
  return `  self time by script:\n${top(byScript, 8)}\n  top functions:\n${top(byFunction, 20)}`;
}
