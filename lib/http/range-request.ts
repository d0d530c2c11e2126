// Range and If-Range of a GET /download whose exact length is known
// (RFC 9110 §14): one range is served as a 206, anything else as the whole.

export type RangeAnswer =
  | { status: 200 }
  | { status: 206; start: number; end: number }
  | { status: 416 };

const WHOLE: RangeAnswer = { status: 200 };
const MAX_RANGE_HEADER = 200;

/**
 * What to send for `range` (the Range header) of a body of `length` bytes
 * tagged `etag`. An If-Range naming another tag (or a date) gets the whole
 * new body; so do several ranges, other units and malformed headers, which
 * the RFC lets a server ignore. A range wholly past the end is a 416.
 */
export function answerRange(range: string | undefined, ifRange: string | undefined, etag: string, length: number): RangeAnswer {
  // Longer is not one range of a file of any size; it is not worth a regular expression's time either.
  if (range === undefined || range.length > MAX_RANGE_HEADER) return WHOLE;
  if (ifRange !== undefined && ifRange.trim() !== etag) return WHOLE;
  const match = /^bytes=(\d*)-(\d*)$/i.exec(range.replace(/[ \t]+/g, ''));
  if (!match || (match[1] === '' && match[2] === '')) return WHOLE;
  const [first, last] = [match[1]!, match[2]!];
  if (first === '') {
    // bytes=-K: the last K bytes.
    const suffix = Number(last);
    return suffix === 0 ? { status: 416 } : { status: 206, start: Math.max(0, length - suffix), end: length - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return WHOLE;
  if (start >= length) return { status: 416 };
  const end = last === '' ? length - 1 : Number(last);
  return { status: 206, start, end: Math.min(end, length - 1) };
}
