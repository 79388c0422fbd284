/**
 * Reading blob lines without parsing them: most of a log's bytes are blob content (tool outputs, files), and
 * the report needs little of it. The sink writes every event in a fixed field order (pino's base fields, then
 * `event`, `mono`, then the body: src/log/sink.ts), so a blob line is recognised by its head, and its content
 * kept by position. What the report needs of a message — its key, its role, its reminders — is read from the
 * bytes; its content is parsed only when a view shows it. A line that does not have the exact shape (hand-edited,
 * from another writer, torn) is not taken here: the reader parses it whole, as any other line.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { cutText } from './cut.js';

/** A blob line read by its head: the content is `buf[start, end)`. */
export interface BlobHead {
  hash: string;
  v: number;
  start: number;
  end: number;
}

const HEAD_MAX = 1024;
const CONTENT = Buffer.from('"content":');
const HEAD =
  /^\{"level":\d+,"time":\d+,"v":(\d+),"session":"[^"\\]*","pid":\d+,"ppid":\d+,"event":"blob","mono":-?[\d.e+-]+,"hash":"([0-9a-f]{1,64})",$/;
const Q = 34;
const BACKSLASH = 92;

/** The line `buf[start, end)` as a blob of the sink's shape, or undefined (then it is parsed whole). */
export function blobHead(buf: Buffer, start: number, end: number): BlobHead | undefined {
  // Cheap rejections first: most non-blob lines are small and parsed anyway.
  if (end - start < 256 || buf[start] !== 123 || buf[end - 1] !== 125) return undefined;
  const c = buf.subarray(start, Math.min(end, start + HEAD_MAX)).indexOf(CONTENT);
  if (c === -1) return undefined;
  const m = HEAD.exec(buf.toString('latin1', start, start + c));
  if (!m) return undefined;
  const from = start + c + CONTENT.length;
  const open = buf[from];
  // Object or array content only (what blobs hold). A torn line is the file's last, and read whole by its caller; a
  // record glued onto a torn one inside a message is found by scanMessage, elsewhere when the blob is parsed.
  if ((open !== 123 && open !== 91) || buf[end - 2] !== (open === 123 ? 125 : 93)) return undefined;
  if (!isUtf8(buf.subarray(from, end - 1))) return undefined;
  // The hash copied from the bytes: a regex capture is a slice that would keep the whole head alive in the index.
  const hashEnd = start + c - 2;
  const hash = buf.toString('latin1', hashEnd - m[2]!.length, hashEnd);
  return { hash, v: Number(m[1]), start: from, end: end - 1 };
}

/** The index of the quote that closes the string literal opened at `open`, or -1 (torn). */
export function stringEnd(buf: Buffer, open: number, end: number): number {
  for (let k = open + 1; ; k++) {
    k = buf.indexOf(Q, k);
    if (k === -1 || k >= end) return -1;
    let b = k - 1;
    while (buf[b] === BACKSLASH) b--;
    if ((k - 1 - b) % 2 === 0) return k;
  }
}

const LIT_CONTENT = Buffer.from('"content"');
const LIT_MARKER = Buffer.from('"cache_control"');
const LIT_LEVEL = Buffer.from('"level"');
/** A `content` array of one text block, up to its text's opening quote. */
const ONE_BLOCK = Buffer.from('[{"type":"text","text":');
/** What src/exchange/hash.ts writes. */
const CONTENT_HASH = /^[0-9a-f]{32}$/;
const ROLE_USER = Buffer.from('{"role":"user",');
const REMINDER = Buffer.from('<system-reminder>');
/** An escaped newline, as JSON text. */
const NEWLINE = '\\n';
/** Strings longer than this are cut to their first `KEEP` bytes in a message read for its facts. */
const LONG = 12 << 10;
const KEEP = 8 << 10;

/** What the report takes of a message blob's bytes: its key, and (asked for, long user messages) a facts view. */
export interface MessageScan {
  /** `messageKey` of the content; undefined when it has cache markers (taking them out needs the value). */
  key?: string;
  /** The message with long strings cut (see below); undefined when nothing was cut or not asked for. */
  view?: unknown;
}

/**
 * One walk over a message blob's string literals (a quote outside a string is always a literal's start, so they are
 * found with `indexOf`, not by parsing), for two things:
 *  - `messageKey(JSON.parse(content))` from the bytes, when they are what `JSON.stringify` wrote (a line of the sink's
 *    shape): the same hash over the same text, a `content` of one plain text block taken as its string, without
 *    building the value. Most messages need no such change: their key is then `hash`, the blob's own (the content
 *    hash of these bytes, written by the recorder), and their bytes are not hashed again;
 *  - a facts view of a long user message: each string over `LONG` bytes keeps its first `KEEP` bytes (the facts keep
 *    2 000 characters of a text) and, when it has `<system-reminder>` lines, everything from the first one on —
 *    remindersOf then finds the same reminders, isToolResults the same blocks.
 * Undefined when the bytes are not one whole JSON value (a record glued onto a torn one).
 */
export function scanMessage(
  buf: Buffer,
  start: number,
  end: number,
  wantView: boolean,
  hash?: string,
): MessageScan | undefined {
  if (buf[start] !== 123) return {};
  let marker = false;
  const viewing = wantView && end - start > LONG && startsWith(buf, start, ROLE_USER);
  /** The view's JSON text, piece by piece: decoded apart (each cut is at a character's start), parsed once. */
  const parts: string[] = [];
  let kept = start;
  /** Where a one-block `content` array opens, and where its text literal starts. */
  let block = -1;
  let blockText = -1;
  /** `[from, literal, close]`: the array at `from` written as its text literal (`buf[literal, close]`). */
  const asText: [number, number, number][] = [];
  for (let q = buf.indexOf(Q, start), close = 0; q !== -1 && q < end; q = buf.indexOf(Q, close + 1)) {
    close = stringEnd(buf, q, end);
    if (close === -1) return undefined;
    const len = close + 1 - q;
    if (q === blockText) {
      if (buf[close + 1] === 125 && buf[close + 2] === 93) asText.push([block, q, close]);
    } else if (len <= 15 && buf[close + 1] === 58 && (buf[q - 1] === 123 || buf[q - 1] === 44)) {
      // A key (`{` or `,` before it, `:` after: inside a string a quote is escaped, so this is structure).
      if (same(buf, q, LIT_CONTENT)) {
        const one = same(buf, close + 2, ONE_BLOCK);
        block = one ? close + 2 : -1;
        blockText = one ? close + 2 + ONE_BLOCK.length : -1;
      } else if (same(buf, q, LIT_MARKER)) marker = true;
      else if (buf[q - 1] === 123 && same(buf, q, LIT_LEVEL)) return undefined;
    }
    if (viewing && len > LONG) kept = cutString(buf, q, close, parts, kept);
  }
  const key = marker ? undefined : keyOf(buf, start, end, asText, hash);
  if (!parts.length) return { key };
  parts.push(buf.toString('utf8', kept, end));
  try {
    return { key, view: JSON.parse(parts.join('')) };
  } catch {
    return { key };
  }
}

/** The content hash of `buf[start, end)` with each one-block array written as its text: `hash` when there is none. */
function keyOf(buf: Buffer, start: number, end: number, asText: [number, number, number][], hash?: string): string {
  if (!asText.length && hash !== undefined && CONTENT_HASH.test(hash)) return hash;
  const h = createHash('sha256');
  let hashed = start;
  for (const [from, literal, close] of asText) {
    h.update(buf.subarray(hashed, from));
    h.update(buf.subarray(literal, close + 1));
    hashed = close + 3;
  }
  h.update(buf.subarray(hashed, end));
  return h.digest('hex').slice(0, 32);
}

/** `messageKey(JSON.parse(buf[start, end)))` from the bytes, or undefined (see scanMessage). */
export const rawMessageKey = (buf: Buffer, start: number, end: number, hash?: string) =>
  scanMessage(buf, start, end, false, hash)?.key;

/** A facts view of a long user message, or undefined when nothing in it is cut (see scanMessage). */
export const factsView = (buf: Buffer, start: number, end: number) => scanMessage(buf, start, end, true)?.view;

/** Cuts the string literal `buf[q, close]` for a view: pushes what is kept since `kept`; returns the new `kept`. */
function cutString(buf: Buffer, q: number, close: number, parts: string[], kept: number): number {
  const cut = safeCut(buf, q + 1, q + KEEP);
  const r = buf.subarray(q, close).indexOf(REMINDER);
  const tail = r === -1 ? close : lineStart(buf, q, q + r);
  // A reminder inside the kept start, or a tag not at a line's start: the string stays whole.
  if (tail === -1 || tail < cut) return kept;
  parts.push(buf.toString('utf8', kept, cut));
  if (tail < close) parts.push(NEWLINE, buf.toString('utf8', tail, close));
  return close;
}

const same = (buf: Buffer, at: number, lit: Buffer) =>
  at + lit.length <= buf.length && buf.compare(lit, 0, lit.length, at, at + lit.length) === 0;
const startsWith = same;

/**
 * A cut at or before `at` (not before `from`, a literal's first byte) that splits neither a UTF-8 character nor an
 * escape sequence (`\uXXXX` is the longest: one that spans the cut starts at most 5 bytes before it).
 */
function safeCut(buf: Buffer, from: number, at: number): number {
  let cut = at;
  while (cut > from && (buf[cut]! & 0xc0) === 0x80) cut--;
  for (let j = cut - 1; j >= Math.max(from, cut - 6); j--) {
    if (buf[j] !== BACKSLASH) continue;
    // The last backslash of a run starts an escape when the run is odd (the others are escaped backslashes).
    let first = j;
    while (first > from && buf[first - 1] === BACKSLASH) first--;
    if ((j - first) % 2 === 0 && j + (buf[j + 1] === 117 ? 6 : 2) > cut) cut = j;
    break;
  }
  return cut;
}

/**
 * The JSON value `buf[start, end)` (compact, as JSON.stringify writes it) with each string value longer than `max`
 * characters cut as truncateDeep cuts it (cut.ts), without decoding what is cut: a literal is found by its quotes
 * (`indexOf`), only its first characters are decoded. A 200 KB tool output costs a 16 KB parse, not a 200 KB one.
 * Undefined when the bytes are not one whole JSON value.
 */
export function cutJson(buf: Buffer, start: number, end: number, max: number): unknown {
  const parts: string[] = [];
  let kept = start;
  for (let q = buf.indexOf(Q, start), close = 0; q !== -1 && q < end; q = buf.indexOf(Q, close + 1)) {
    close = stringEnd(buf, q, end);
    if (close === -1) return undefined;
    // A literal of at most `max` bytes has at most `max` characters; a key (`:` after it) is never cut.
    if (close - q - 1 <= max || buf[close + 1] === 58) continue;
    const literal = cutLiteral(buf, q, close, max);
    if (literal === undefined) continue;
    parts.push(buf.toString('utf8', kept, q), literal);
    kept = close + 1;
  }
  try {
    if (!parts.length) return JSON.parse(buf.toString('utf8', start, end));
    parts.push(buf.toString('utf8', kept, end));
    return JSON.parse(parts.join(''));
  } catch {
    return undefined;
  }
}

/** The literal `buf[q, close]` cut to `max` characters (cutText), as a JSON literal; undefined when it is not longer. */
function cutLiteral(buf: Buffer, q: number, close: number, max: number): string | undefined {
  // A character takes 1 to 6 bytes of JSON (`\uXXXX`): `max` bytes, then at most one more read of what is missing.
  for (let want = max, n = 0; n < 3; n++) {
    const stop = q + 1 + want >= close ? close : safeCut(buf, q + 1, q + 1 + want);
    const text = JSON.parse(`${buf.toString('utf8', q, stop)}"`) as string;
    if (text.length > max) return JSON.stringify(cutText(text, max, close - stop));
    if (stop === close) return undefined;
    want += 6 * (max - text.length) + 6;
  }
  return undefined;
}

/** Where the line holding `<system-reminder>` at `r` starts (after an escaped newline), or -1: not at a line start. */
function lineStart(buf: Buffer, open: number, r: number): number {
  let s = r;
  // Spaces and tabs before it (a tab is written `\t`).
  for (;;) {
    if (buf[s - 1] === 32) s--;
    else if (buf[s - 1] === 116 && escaped(buf, s - 1)) s -= 2;
    else break;
  }
  if (s === open + 1) return s;
  return buf[s - 1] === 110 && escaped(buf, s - 1) ? s : -1;
}

/** Whether `buf[i]` is the letter of an escape (an odd run of backslashes before it). */
function escaped(buf: Buffer, i: number): boolean {
  let b = i - 1;
  while (buf[b] === BACKSLASH) b--;
  return (i - 1 - b) % 2 === 1;
}
