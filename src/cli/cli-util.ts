import type { z } from 'zod';
import { isAppError } from '../platform/errors.ts';

/** Validate CLI input with the same schema the API uses; print every problem with its option name. */
export function parseOrExit<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  for (const i of r.error.issues) console.error(`error: --${i.path.join('.')}: ${i.message}`);
  process.exit(2);
}

/** Last-resort printer for CLI failures: domain errors print code, message and details; others the message. */
export function printCliError(e: unknown): number {
  if (isAppError(e)) {
    console.error(`error ${e.code}: ${e.message}`);
    for (const d of e.details.slice(0, 50)) {
      const where = [d.line !== undefined ? `line ${d.line}` : '', d.field ?? ''].filter(Boolean).join(', ');
      console.error(`  ${where}${d.value !== undefined ? ` (${JSON.stringify(d.value)})` : ''}: ${d.reason}`);
    }
    if (e.details.length > 50) console.error(`  … and ${e.details.length - 50} more`);
    return e.kind === 'invalid' ? 2 : 1;
  }
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  return 1;
}
