import { isUtf8 } from 'node:buffer';
import { Transform } from 'node:stream';
import { invalid } from '../../../platform/errors.ts';
import { utf8SequenceLength as sequenceLength } from '../../../platform/utf8.ts';
import { ImportErrors as E } from './import.errors.ts';
import { lineTooLong } from './import-failure.ts';

/**
 * The contract says UTF-8; csv-parse would decode anything, turning a Latin-1 "é" into U+FFFD and storing it
 * (issue 13, point 5). Each chunk is checked natively (`isUtf8`), holding back a multi-byte character cut by the chunk
 * boundary; newlines are counted as it goes so that a refusal names the physical line (header = line 1) and the
 * byte, like every other import error. A physical line longer than `maxLine` bytes is refused as it arrives (a
 * 50 MB file with no newline was read whole, and spooled, before its header was judged: probe round 5).
 */
export function utf8Guard(maxLine = Number.POSITIVE_INFINITY): Transform {
  let carry: Buffer = Buffer.alloc(0);
  let lines = 1;
  let column = 0; // bytes of the current line before the buffer being checked
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const cut = completeLength(buf);
      const whole = buf.subarray(0, cut);
      if (!isUtf8(whole)) return cb(refusal(whole, lines, column));
      const long = longLine(whole, column, maxLine);
      if (long !== 0) return cb(lineTooLong(lines + long - 1, maxLine));
      const newlines = countNewlines(whole);
      lines += newlines;
      column = newlines > 0 ? whole.length - (whole.lastIndexOf(10) + 1) : column + whole.length;
      carry = Buffer.from(buf.subarray(cut));
      cb(null, whole);
    },
    flush(cb) {
      if (carry.length > 0) return cb(refusal(carry, lines, column, true));
      cb();
    },
  });
}

/** Length of `buf` without a trailing incomplete multi-byte sequence (at most 3 bytes held back). */
function completeLength(buf: Buffer): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const b = buf[buf.length - back]!;
    if ((b & 0xc0) !== 0x80) {
      // A lead byte: how long its sequence is; complete when it fits in what follows.
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      return need > back ? buf.length - back : buf.length;
    }
  }
  return buf.length;
}

/** 1-based index among the lines `buf` touches (its first continues a line of `column` bytes) of the first longer than `max`, or 0. */
function longLine(buf: Buffer, column: number, max: number): number {
  let start = -column;
  let n = 1;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1), n++) {
    if (i - start > max) return n;
    start = i + 1;
  }
  return buf.length - start > max ? n : 0;
}

function countNewlines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** Finds the first bad byte (the slow way, only once a chunk failed) and names its line and column. */
function refusal(buf: Buffer, firstLine: number, firstColumn: number, truncated = false) {
  let i = 0;
  while (i < buf.length) {
    const n = sequenceLength(buf, i);
    if (n === 0) break;
    i += n;
  }
  const before = buf.subarray(0, i);
  const line = firstLine + countNewlines(before);
  const lineStart = before.lastIndexOf(10);
  const column = lineStart === -1 ? firstColumn + i + 1 : i - lineStart;
  const hex = `0x${buf.subarray(i, i + 1).toString('hex')}`;
  const reason = truncated
    ? `the file ends inside a multi-byte character (starting with ${hex})`
    : `byte ${hex} at byte ${column} of the line is not UTF-8 (a Latin-1 or Windows-1252 file? save it as UTF-8)`;
  return invalid(E.notUtf8, `The file is not UTF-8: line ${line}, ${reason}`, [
    { line, field: '(csv)', value: hex, reason },
  ]);
}
