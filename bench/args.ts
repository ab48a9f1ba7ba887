/** Command-line options shared by the benchmarks: a bad value exits 2 naming the option. */
const args = process.argv.slice(2);

export const hasFlag = (name: string) => args.includes(name);

/** A positive number option, or its default. */
export function numArg(name: string, dflt: number): number {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`${name} must be a positive number, got ${args[i + 1] ?? '(nothing)'}`);
    process.exit(2);
  }
  return v;
}

/**
 * `--reuse-db NAME`: load into PostgreSQL database NAME only if it does not hold the requested load yet, and keep
 * it afterwards, so iterating on the server side skips the 1M-row load. Official figures: a fresh run without it.
 */
export function reuseDbArg(): string | undefined {
  const i = args.indexOf('--reuse-db');
  if (i < 0) return undefined;
  const name = args[i + 1] ?? '';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    console.error(`--reuse-db needs a database name ([a-z0-9_]), got ${name || '(nothing)'}`);
    process.exit(2);
  }
  return name;
}
