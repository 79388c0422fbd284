/**
 * Headers as every layer records and matches them: one lower-case name → one string value, whatever the
 * source (WHATWG or node-fetch `Headers`, node:http's `getHeaders()` / `res.headers`, SDK call options, a
 * logged record). Node's repeated values (arrays) join with ", " as on the wire.
 */
import { isRecord } from './json.js';

interface HeadersLike {
  forEach(fn: (value: string, name: string) => void): void;
}

const isHeadersLike = (v: unknown): v is HeadersLike =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  typeof (v as { forEach?: unknown }).forEach === 'function';

export function flattenHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isHeadersLike(headers)) {
    headers.forEach((value, name) => {
      out[name.toLowerCase()] = value;
    });
    return out;
  }
  if (!isRecord(headers)) return out;
  for (const [name, value] of Object.entries(headers)) {
    // null: an SDK call's way to remove a header, not a value.
    if (value === undefined || value === null) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}
