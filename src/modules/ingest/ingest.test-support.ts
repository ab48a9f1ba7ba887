/** Test support for the ingest module's tests (not loaded by the server). */
import type { NetworkEvent } from './contract.ts';

/** A parsed network event with every optional field null: a `detach` now, unless `over` says otherwise. */
export const networkEvent = (over: Partial<NetworkEvent> = {}): NetworkEvent => ({
  id: null,
  ts: new Date(),
  iccid: '8946000000000000000',
  type: 'detach',
  imsi: null,
  imei: null,
  plmn: null,
  rat: null,
  apn: null,
  sessionId: null,
  ip: null,
  bytesUp: null,
  bytesDown: null,
  cause: null,
  status: null,
  seconds: null,
  ...over,
});
