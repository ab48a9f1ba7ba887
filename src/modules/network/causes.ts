/**
 * What a reject cause means, in words a customer's engineer can act on. Attach rejects carry an EMM cause
 * (3GPP TS 24.301 §9.9.3.9), session rejects an ESM cause (§9.9.4.4); the same number means different things in
 * the two tables (8 is "EPS and non-EPS services not allowed" in EMM, "operator determined barring" in ESM), so a
 * cause is always read with the event type that carried it. Diagnosis (issue 5) reads these tables too.
 */

export type CauseTable = 'emm' | 'esm';
export type Cause = { code: number; name: string; meaning: string };

const table = (rows: [number, string, string][]): ReadonlyMap<number, Cause> =>
  new Map(rows.map(([code, name, meaning]) => [code, { code, name, meaning }]));

export const EMM_CAUSES = table([
  [2, 'IMSI unknown in HSS', 'The home network does not know this SIM (not provisioned, or deleted).'],
  [3, 'Illegal UE', 'The network refuses this SIM outright (failed authentication or barred): it will not retry.'],
  [5, 'IMEI not accepted', 'The device (IMEI) is not accepted, e.g. blacklisted or not allowed for this SIM.'],
  [6, 'Illegal ME', 'The device is barred by the network (IMEI check failed).'],
  [7, 'EPS services not allowed', 'The subscription has no data (EPS) service: the SIM is not allowed to register.'],
  [
    8,
    'EPS and non-EPS services not allowed',
    'The subscription allows neither data nor voice/SMS: the SIM is effectively blocked.',
  ],
  [9, 'UE identity cannot be derived by the network', 'The network lost the device context; it should re-attach.'],
  [10, 'Implicitly detached', 'The network had already detached the device (e.g. after inactivity); it re-attaches.'],
  [11, 'PLMN not allowed', 'This network is not allowed for the SIM (no roaming agreement, or barred by the plan).'],
  [12, 'Tracking area not allowed', 'The device may not use this area of the network (regional restriction).'],
  [
    13,
    'Roaming not allowed in this tracking area',
    'Roaming is refused in this area; the device should try another network.',
  ],
  [14, 'EPS services not allowed in this PLMN', 'Data is not allowed on this network; another network may work.'],
  [15, 'No suitable cells in tracking area', 'No usable cell in this area for the device; it searches for another.'],
  [17, 'Network failure', 'A temporary failure inside the network; the device retries later.'],
  [22, 'Congestion', 'The network is overloaded and asks the device to back off and retry later.'],
  [25, 'Not authorized for this CSG', 'The device is not a member of this closed subscriber group (private cell).'],
  [35, 'Requested service option not authorized in this PLMN', 'The service asked for is not allowed on this network.'],
  [40, 'No EPS bearer context activated', 'Registered without a data bearer; the device must set up a session again.'],
  [42, 'Severe network failure', 'A serious network fault; the device waits before trying this network again.'],
]);

export const ESM_CAUSES = table([
  [8, 'Operator determined barring', 'Data is barred for this SIM by the operator (e.g. blocked by its usage limit).'],
  [26, 'Insufficient resources', 'The network (gateway) has no capacity for the session right now.'],
  [27, 'Missing or unknown APN', 'The APN the device asked for does not exist: check the APN setting for typos.'],
  [28, 'Unknown PDN type', 'The device asked for an IP type (IPv4/IPv6) the network does not know.'],
  [29, 'User authentication failed', 'The APN refused the device: wrong APN username/password, or not allowed.'],
  [30, 'Request rejected by Serving GW or PDN GW', 'The packet gateway refused the session (gateway fault or policy).'],
  [31, 'Request rejected, unspecified', 'The network refused the session without saying why.'],
  [32, 'Service option not supported', 'The network does not support what the device asked for.'],
  [33, 'Requested service option not subscribed', 'The SIM has no subscription for this APN or service.'],
  [34, 'Service option temporarily out of order', 'The service is temporarily unavailable; retry later.'],
  [35, 'PTI already in use', 'A protocol clash on the device side (a request id reused); the device retries.'],
  [36, 'Regular deactivation', 'The session was closed normally.'],
  [38, 'Network failure', 'A failure inside the network; the device retries later.'],
  [50, 'PDN type IPv4 only allowed', 'Only IPv4 is allowed on this APN; the device asked for IPv6 too.'],
  [51, 'PDN type IPv6 only allowed', 'Only IPv6 is allowed on this APN; the device asked for IPv4 too.'],
  [52, 'Single address bearers only allowed', 'Only one IP type per session is allowed; the device should ask again.'],
  [54, 'PDN connection does not exist', 'The session the device refers to is no longer known to the network.'],
  [55, 'Multiple PDN connections for a given APN not allowed', 'The device already has a session on this APN.'],
  [65, 'Maximum number of EPS bearers reached', 'The device has as many sessions as the network allows.'],
  [
    66,
    'Requested APN not supported in current RAT and PLMN combination',
    'This APN cannot be used on this radio/network.',
  ],
]);

/** Which table a reject event's cause comes from. */
export function causeTableOf(eventType: string): CauseTable | null {
  if (eventType === 'attach_rejected') return 'emm';
  if (eventType === 'session_rejected') return 'esm';
  return null;
}

/** The cause as carried by an event of `eventType`; unknown numbers still answer, saying so. */
export function describeCause(eventType: string, code: number): Cause {
  const t = causeTableOf(eventType);
  const known = t === 'emm' ? EMM_CAUSES.get(code) : t === 'esm' ? ESM_CAUSES.get(code) : undefined;
  if (known) return known;
  const kind = t === 'emm' ? 'EMM' : t === 'esm' ? 'ESM' : 'reject';
  return { code, name: `${kind} cause ${code}`, meaning: `Cause ${code} is not in iotops' table of ${kind} causes.` };
}

/** "27 Missing or unknown APN" — for one-line displays (CLI trace). */
export const causeLabel = (eventType: string, code: number) => `${code} ${describeCause(eventType, code).name}`;
