/**
 * The configuration SMS: the APN setting as a device vendor's plain-text SMS command. The format is Teltonika's
 * (`<login> <password> setparam 2001:<apn>`; parameter 2001 is the APN; with no SMS login/password set on the
 * device both stay empty, hence the two leading spaces), the most common among the trackers and gateways our
 * customers field. Other vendors (Quectel/Sierra AT+CGDCONT via their SMS command sets, OMA CP binary WAP push)
 * would be another builder here; the text is kept short of one SMS (160 GSM-7 characters).
 */
import { z } from 'zod';

/** An APN as 3GPP TS 23.003 §9.1 allows: labels of letters, digits and hyphens, separated by dots. */
export const ApnSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/,
    'must be an APN: letters, digits and hyphens in dot-separated labels (e.g. iot.example)',
  );

export function configSmsText(apn: string): string {
  return `  setparam 2001:${apn}`;
}
