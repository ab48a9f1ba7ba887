/**
 * Rows go to PostgreSQL as one JSON parameter read by `json_to_recordset`, not as a typed array per column: the
 * JSON is built natively by JSON.stringify, where node-postgres would quote and escape every value of every column
 * array in JS (measured: that and the garbage it made were the writer's largest CPU cost). Null fields are simply
 * left out of a row's object.
 */
export const json = (rows: object[]) => JSON.stringify(rows);
export const isoOrUndef = (d: Date | null) => (d === null ? undefined : d.toISOString());
export const orUndef = <T>(v: T | null) => (v === null ? undefined : v);
export const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as number));
export const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
/** A timestamp column read as epoch milliseconds (a float is parsed far cheaper than a timestamptz text). */
export const ms = (column: string) =>
  `(extract(epoch from ${column}) * 1000)::float8 as ${column.replace(/^\w+\./, '')}`;
