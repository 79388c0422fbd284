/**
 * How a report cuts long strings out of captured content (the HTML page keeps the first `max` characters of each):
 * one marker for a value already parsed and for a message cut from its logged bytes (scan.ts cutJson), which does
 * not decode what it leaves out — so the marker gives the size left out, not a character count.
 */
import { isRecord } from '../../src/exchange/json.js';
import { fmtBytes } from '../render/format.js';

/**
 * `text`'s first `max` characters and a marker of what was left out: the rest of `text` and `undecodedBytes` more
 * (bytes of a literal past `text` that were never decoded: their JSON form, escapes included, hence "~").
 */
export function cutText(text: string, max: number, undecodedBytes = 0): string {
  const kept = text.slice(0, max);
  const left = Buffer.byteLength(text) - Buffer.byteLength(kept) + undecodedBytes;
  return `${kept}\n…[agenttap: ${undecodedBytes ? '~' : ''}${fmtBytes(left)} more not included in the report]`;
}

/** A copy with every string value longer than `max` characters cut (cutText). */
export function truncateDeep(v: unknown, max: number): unknown {
  if (typeof v === 'string') return v.length > max ? cutText(v, max) : v;
  if (Array.isArray(v)) return v.map((x) => truncateDeep(x, max));
  if (!isRecord(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = truncateDeep(x, max);
  return out;
}
