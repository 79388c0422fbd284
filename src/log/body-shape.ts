/**
 * Where the parts of a request body are in its text, so that the next request of the same conversation is read
 * only where it differs. Agents resend the whole conversation every turn (Claude Code: ~200 KB, a few KB new);
 * parsing, serialising and hashing all of it again was most of the capture worker's CPU per exchange (issue 13).
 *
 *   previous text  [ head | field … | "messages":[ m0 , m1 , … mk-1 , old tail ] | field … ]
 *   new text       [ head | field … | "messages":[ m0 , m1 , … mk-1 , new tail … ] | field … ]
 *                    └── same bytes at the same offsets ──────────┘  └ parsed ┘  └ same bytes, shifted ┘
 *
 * A field or element is reused only when its bytes (and the separators before it) are equal at the same offset
 * from the start, or at the same offset from the end for the fields after the changed one: equal text is equal
 * JSON, so what was made from it (its redacted value, its blob reference) is what would be made again. One field
 * may differ; if it is the resent list, its elements are compared one by one and only those after the first
 * difference are parsed. Anything else (two fields changed, text that is not an object) is read whole again.
 * The text is read as its UTF-8 bytes, as the capture worker gets it from the shared ring: comparing two is a
 * memcmp (microseconds for 200 KB), where making a JS string of 200 KB costs ~3 ms on the 2-core bench machine (a
 * fresh large-object allocation, its pages touched for the first time), more than the rest of the turn. Only the
 * changed part becomes a string.
 */

/** A field of the top-level object: its segment (from after the `{` or `,` before it) and its value's range. */
export interface ShapeField {
  key: string;
  seg: number;
  start: number;
  end: number;
  /** The value's elements, for a field that is a resent list (an array). */
  items?: Span[];
}

export interface Span {
  start: number;
  end: number;
}

export interface Shape {
  /** The body as UTF-8 (offsets are byte offsets: structural characters are single bytes in UTF-8). */
  text: Buffer;
  fields: ShapeField[];
}

/** How a new text differs from a shape's: `changed` is the one field that differs (-1: none). */
export interface Plan {
  /** new offset = old offset + delta, for everything after the changed field. */
  delta: number;
  changed: number;
  /** The changed field's value range in the new text. */
  value?: Span;
  /** Characters of the new text that are not reused. */
  fresh: number;
  /** For a changed list: how many of its old elements are kept, and where the new ones are (before its `]`). */
  kept?: number;
  from?: number;
  to?: number;
}

/** The top-level fields of `text` (valid JSON, already parsed) with the elements of the `lists` fields. */
export function scanShape(text: Buffer, lists: readonly string[]): Shape | undefined {
  let i = skipWs(text, 0);
  if (text[i] !== OPEN_OBJECT) return undefined;
  i = skipWs(text, i + 1);
  const fields: ShapeField[] = [];
  const keys = new Set<string>();
  let seg = 0;
  while (text[i] === QUOTE) {
    const keyEnd = skipString(text, i);
    if (keyEnd < 0) return undefined;
    const key = JSON.parse(text.toString('utf8', i, keyEnd)) as string;
    i = skipWs(text, keyEnd);
    if (text[i] !== COLON) return undefined;
    const start = skipWs(text, i + 1);
    const end = skipValue(text, start);
    // A repeated key: JSON.parse keeps the last one; not worth following.
    if (end < 0 || keys.has(key)) return undefined;
    keys.add(key);
    const field: ShapeField = { key, seg, start, end };
    if (lists.includes(key) && text[start] === OPEN_ARRAY) {
      const items = scanItems(text, start + 1, end - 1, false);
      if (!items) return undefined;
      field.items = items;
    }
    fields.push(field);
    i = skipWs(text, end);
    if (text[i] !== COMMA) break;
    seg = i + 1;
    i = skipWs(text, seg);
  }
  return text[i] === CLOSE_OBJECT ? { text, fields } : undefined;
}

/**
 * How `text` differs from `shape`'s text, or undefined when more than one field differs (read it whole). For a
 * changed list, `from`–`to` is where its new elements are (`listItems` finds them): plans are compared by `fresh`,
 * the characters they leave to parse, before anything is scanned.
 */
export function planShape(shape: Shape, text: Buffer): Plan | undefined {
  const old = shape.text;
  const { fields } = shape;
  const delta = text.length - old.length;
  let changed = 0;
  while (changed < fields.length && sameAt(old, text, fields[changed]!.seg, segEnd(shape, changed), 0)) changed++;
  if (changed === fields.length) return delta === 0 ? { delta, changed: -1, fresh: 0 } : undefined;
  const field = fields[changed]!;
  // Everything after the changed value, at its shifted place (for a list: from its closing bracket on).
  const items = field.items;
  const tail = items ? field.end - 1 : field.end;
  if (tail + delta < field.start || !sameAt(old, text, tail, old.length, delta)) return undefined;
  const value = { start: field.start, end: field.end + delta };
  if (!items) {
    if (!sameAt(old, text, field.seg, field.start, 0)) return undefined;
    return { delta, changed, value, fresh: value.end - value.start };
  }
  // The key and the opening bracket, then the elements that are equal with the separators before them.
  if (!sameAt(old, text, field.seg, field.start + 1, 0)) return undefined;
  const kept = keptItems(old, text, field.start + 1, items);
  const from = kept > 0 ? items[kept - 1]!.end : field.start + 1;
  const to = tail + delta;
  return to < from ? undefined : { delta, changed, value, kept, from, to, fresh: to - from };
}

/** A list plan's new elements, or undefined when the text between is not a list's elements. */
export function listItems(text: Buffer, plan: Plan): Span[] | undefined {
  return scanItems(text, plan.from!, plan.to!, plan.kept! > 0);
}

/** The shape of the new text after `plan`: its fields moved by the plan, the changed list's elements updated. */
export function nextShape(shape: Shape, text: Buffer, plan: Plan, added?: Span[]): Shape {
  if (plan.changed < 0) return { text, fields: shape.fields };
  const fields = shape.fields.map((field, i): ShapeField => {
    if (i < plan.changed) return field;
    if (i > plan.changed)
      return { ...field, seg: field.seg + plan.delta, start: field.start + plan.delta, end: field.end + plan.delta };
    const items = added && [...field.items!.slice(0, plan.kept), ...added];
    return { ...field, end: plan.value!.end, ...(items ? { items } : {}) };
  });
  return { text, fields };
}

function segEnd(shape: Shape, i: number): number {
  return shape.fields[i + 1]?.seg ?? shape.text.length;
}

/** Whether `a[from, to)` equals `b[from + delta, to + delta)` (a memory compare). */
function sameAt(a: Buffer, b: Buffer, from: number, to: number, delta: number): boolean {
  if (to + delta > b.length || from + delta < 0 || to < from) return false;
  return a.compare(b, from + delta, to + delta, from, to) === 0;
}

/**
 * How many of a list's first elements are the same in both texts, with everything from `base` (after its `[`) to
 * them. Equal up to one element means equal up to each before it, so the count is searched for, from the end (where
 * agents edit: a whole 200 KB conversation in a few memory compares, not one compare per element).
 */
function keptItems(old: Buffer, text: Buffer, base: number, items: readonly Span[]): number {
  const same = (k: number) => k === 0 || sameAt(old, text, base, items[k - 1]!.end, 0);
  let lo = items.length;
  let hi = lo;
  // Steps back growing until a count that holds; the answer is then between it and the last one that failed.
  for (let step = 1; !same(lo); step *= 2) {
    hi = lo - 1;
    lo = Math.max(0, lo - step);
  }
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (same(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The elements between `from` and `to` (the list's closing bracket), each a whole JSON value; after a kept
 * element, a comma comes first. Undefined when the text between is not exactly that.
 */
function scanItems(text: Buffer, from: number, to: number, afterItem: boolean): Span[] | undefined {
  const spans: Span[] = [];
  let i = skipWs(text, from);
  if (i === to) return spans;
  if (afterItem) {
    if (text[i] !== COMMA) return undefined;
    i = skipWs(text, i + 1);
  }
  for (;;) {
    const end = skipValue(text, i);
    if (end < 0 || end > to) return undefined;
    spans.push({ start: i, end });
    i = skipWs(text, end);
    if (i === to) return spans;
    if (text[i] !== COMMA) return undefined;
    i = skipWs(text, i + 1);
  }
}

const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const BACKSLASH = 92;

function skipWs(text: Buffer, i: number): number {
  for (;;) {
    const c = text[i];
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
    i++;
  }
}

/** After the string starting at `i` (a quote), or -1. Most of a request is inside strings: indexOf (memchr) jumps. */
function skipString(text: Buffer, i: number): number {
  let from = i + 1;
  for (;;) {
    const quote = text.indexOf(QUOTE, from);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (text[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/**
 * After the JSON value starting at `i`, or -1. Structure only: brackets are counted, not matched, and literals
 * are not checked — every span it finds in new text is JSON.parse'd before it is used.
 */
function skipValue(text: Buffer, i: number): number {
  const c = text[i];
  if (c === QUOTE) return skipString(text, i);
  if (c !== OPEN_OBJECT && c !== OPEN_ARRAY) {
    let j = i;
    for (;;) {
      const d = text[j];
      if (d === undefined || d === COMMA || d === CLOSE_OBJECT || d === CLOSE_ARRAY || d <= 32) break;
      j++;
    }
    return j > i ? j : -1;
  }
  let depth = 0;
  for (let j = i; j < text.length; ) {
    const d = text[j];
    if (d === QUOTE) {
      j = skipString(text, j);
      if (j < 0) return -1;
      continue;
    }
    if (d === OPEN_OBJECT || d === OPEN_ARRAY) depth++;
    else if ((d === CLOSE_OBJECT || d === CLOSE_ARRAY) && --depth === 0) return j + 1;
    j++;
  }
  return -1;
}
