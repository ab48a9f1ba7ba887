import type { Rng } from './random.ts';

const TLD_SWAP: Readonly<Record<string, string>> = { net: 'com', com: 'net', eu: 'com', se: 'com', de: 'com' };

/** The misspellings people make typing an APN into a device: swapped or lost letters, a lost dot, a wrong TLD. */
export function makeTypo(rng: Rng, apn: string, avoid: readonly string[]): string {
  const taken = new Set(avoid.map((a) => a.toLowerCase()));
  const letters = [...apn].flatMap((c, i) => (/[a-z]/i.test(c) ? [i] : []));
  const ops: (() => string | undefined)[] = [
    () => {
      const i = rng.pick(letters);
      const a = apn[i];
      const b = apn[i + 1];
      if (!a || !b || !/[a-z]/i.test(b) || a === b) return undefined;
      return apn.slice(0, i) + b + a + apn.slice(i + 2);
    },
    () => {
      const dots = [...apn].flatMap((c, i) => (c === '.' ? [i] : []));
      if (dots.length === 0) return undefined;
      const i = rng.pick(dots);
      return apn.slice(0, i) + apn.slice(i + 1);
    },
    () => {
      const labels = apn.split('.');
      const swap = TLD_SWAP[labels[labels.length - 1] ?? ''];
      return swap ? [...labels.slice(0, -1), swap].join('.') : undefined;
    },
    () => {
      const i = rng.pick(letters);
      return apn.slice(0, i) + apn.slice(i + 1);
    },
    () => {
      const i = rng.pick(letters);
      return apn.slice(0, i + 1) + apn.slice(i);
    },
  ];
  for (let k = 0; k < 40; k++) {
    const t = rng.pick(ops)();
    if (t && !taken.has(t.toLowerCase())) return t;
  }
  return apn.replace('.', '-');
}
