/**
 * Commands from iotops's simulated network adapter to the simulated network (the other direction of the
 * simulator's traffic): what a real HSS/PGW/SMSC would do to a device, so a network action's effect shows up in
 * the records the simulator publishes. Two ways in, both carrying the same command with its unique id (the
 * simulator applies an id once, so a command seen on both is harmless):
 * - in-process: `start --simulate` runs the simulator inside iotops; the adapter emits on a `CommandBus`;
 * - polling: a simulator in its own process asks GET /api/v1/network/simulated-commands (its ingest secret).
 */
import { z } from 'zod';

export const SimCommandSchema = z.discriminatedUnion('kind', [
  /** HSS Cancel Location: the MME detaches the device, which registers again at once (re-attach required). */
  z.object({ id: z.number().int(), iccid: z.string(), kind: z.literal('cancel_location') }),
  /** PGW delete session: the data session ends; the device opens a new one. */
  z.object({ id: z.number().int(), iccid: z.string(), kind: z.literal('delete_session') }),
  /** SMSC: an MT SMS to the device (a configuration SMS is a text the device parses, see deviceApnFromSms). */
  z.object({ id: z.number().int(), iccid: z.string(), kind: z.literal('sms'), text: z.string() }),
  /** HSS subscription: a non-active SIM is withdrawn (detached, then refused as unknown) until active again. */
  z.object({ id: z.number().int(), iccid: z.string(), kind: z.literal('subscription'), active: z.boolean() }),
]);
export type SimCommand = z.infer<typeof SimCommandSchema>;

export const SimCommandPage = z.object({ items: z.array(SimCommandSchema), last: z.number().int() });

/**
 * The device side of a configuration SMS: devices of the simulated fleet understand the Teltonika-style
 * `setparam 2001:<apn>` (parameter 2001 = APN), with or without the leading login/password. Null: not a config SMS.
 */
export function deviceApnFromSms(text: string): string | null {
  const m = /(?:^|\s)setparam\s+2001:([^\s;]+)/.exec(text);
  return m ? m[1]! : null;
}

export type CommandListener = (c: SimCommand) => void;

/** In-process delivery: the adapter emits after its command is stored; simulators in this process listen. */
export function createCommandBus() {
  const listeners = new Set<CommandListener>();
  return {
    emit(c: SimCommand): number {
      for (const l of listeners) l(c);
      return listeners.size;
    },
    /** Returns the unsubscribe function. */
    listen(l: CommandListener): () => void {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}
export type CommandBus = ReturnType<typeof createCommandBus>;
