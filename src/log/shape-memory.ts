/**
 * Recent request bodies with what the log made of each field, so that a request resending a conversation is
 * read only where it differs from one of them (body-shape.ts finds where; this module reuses the rest). The
 * body it gives is the one the compactor would give for the whole text: a kept part's blob reference is the one
 * that part got (its content is unchanged), the resent list and the small fields are made again from their
 * kept elements (cheap: no parsing, no redaction, no hashing of content).
 */
import type { Endpoint } from '../exchange/types.js';
import type { Redactor } from '../policy/redact/types.js';
import { repeatedParts } from './blobs.js';
import { listItems, nextShape, type Plan, planShape, type Shape, scanShape } from './body-shape.js';
import type { ListRef } from './events.js';

/** A resent list's elements as the log has them, and the JSON of each (equal JSON: the same element). */
export interface ListItems {
  outs: unknown[];
  keys: string[];
}

/** What the compactor made of a body: its fields as logged, and its resent lists' elements. */
export interface Composed {
  out: Record<string, unknown>;
  lists: Map<string, ListItems>;
}

/** The compactor's steps this module calls for what changed. */
export interface Parts {
  message(value: unknown, redactor: Redactor): unknown;
  part(value: unknown, redactor: Redactor): unknown;
  rest(rest: Record<string, unknown>, redactor: Redactor): Record<string, unknown>;
  list(items: ListItems): ListRef;
}

/** One field: its kind, its value (a resent part's only for describeRequest: see standIn), what the log has. */
interface FieldMemo {
  kind: 'whole' | 'list' | 'rest';
  value: unknown;
  out: unknown;
  items?: ListItems;
}

interface Entry {
  endpoint: Endpoint;
  shape: Shape;
  fields: FieldMemo[];
}

/** Conversations followed at once (a main loop and its concurrent sub-agents), and their texts' bytes in all. */
const RECENT = 16;
const MAX_BYTES = 32 * 1024 * 1024;
/** Buffers of texts no longer kept, for the next ones (room for a few KB of growth per turn). */
const SPARE_BUFFERS = 4;
const GROWTH = 1.25;

/**
 * The texts it is given are valid during the call only (the capture worker's are views into the shared ring): what
 * it keeps it copies, into buffers it recycles. A fresh buffer of 200 KB costs 1–2 ms on the bench machine (new
 * pages, each touched for the first time), a copy into one already used ~10 µs.
 */
export class ShapeMemory {
  private recent: Entry[] = [];
  private spare: Buffer[] = [];

  constructor(private readonly parts: Parts) {}

  /** Keeps a body read whole, with what the compactor made of it. */
  remember(endpoint: Endpoint, text: Buffer, parsed: Record<string, unknown>, composed: Composed): void {
    const { whole, each } = repeatedParts(endpoint);
    if (each.length === 0) return;
    const scanned = scanShape(text, each);
    if (!scanned || scanned.fields.length !== Object.keys(parsed).length) return;
    const shape = { ...scanned, text: this.copy(text) };
    const fields: FieldMemo[] = [];
    for (const { key, items } of shape.fields) {
      const list = composed.lists.get(key);
      // The scan and the parse must agree on which fields are resent lists.
      if (!(key in parsed) || (list === undefined) !== (items === undefined)) return;
      const kind = list ? 'list' : whole.includes(key) ? 'whole' : 'rest';
      const value = kind === 'rest' ? parsed[key] : standIn(parsed[key]);
      fields.push({ kind, value, out: composed.out[key], ...(list ? { items: list } : {}) });
    }
    this.keep({ endpoint, shape, fields });
  }

  /** The parsed body (for describeRequest) and the log's body, or undefined: read the text whole. */
  reuse(endpoint: Endpoint, text: Buffer, redactor: Redactor): { parsed: unknown; body: unknown } | undefined {
    let best: { entry: Entry; plan: Plan } | undefined;
    for (const entry of this.recent) {
      if (entry.endpoint !== endpoint) continue;
      const plan = planShape(entry.shape, text);
      if (plan && (!best || plan.fresh < best.plan.fresh)) best = { entry, plan };
    }
    if (!best) return undefined;
    try {
      return this.apply(best.entry, best.plan, text, redactor);
    } catch {
      // Text that is not JSON where it changed: read whole, it becomes the body's text as the log keeps it.
      return undefined;
    }
  }

  private apply(entry: Entry, plan: Plan, text: Buffer, redactor: Redactor): { parsed: unknown; body: unknown } {
    const fields = [...entry.fields];
    let added: ReturnType<typeof listItems>;
    if (plan.changed >= 0) {
      const old = fields[plan.changed]!;
      const key = entry.shape.fields[plan.changed]!.key;
      if (old.kind === 'list') {
        added = listItems(text, plan);
        if (!added) throw new Error('not a list');
        // Each new message parsed and compacted before the next is parsed: its value is garbage at once. Parsed all
        // first, a 4 MB prompt's new messages were alive together, outgrew the capture worker's young generation and
        // were promoted into memory touched for the first time (~400 page faults per call more). A message that is
        // not JSON still fails the whole read (then read whole); blobs written for those before it stay unreferenced.
        const outs = [
          ...old.items!.outs.slice(0, plan.kept),
          ...added.map((span) =>
            this.parts.message(JSON.parse(text.toString('utf8', span.start, span.end)) as unknown, redactor),
          ),
        ];
        const keys = [...old.items!.keys.slice(0, plan.kept), ...outs.slice(plan.kept).map((o) => JSON.stringify(o))];
        fields[plan.changed] = { kind: 'list', value: new Array(outs.length), out: undefined, items: { outs, keys } };
      } else {
        // A field that was not a list becoming one is read whole (the shape has no elements for it).
        if (old.kind === 'rest' && repeatedParts(entry.endpoint).each.includes(key)) throw new Error('now a list?');
        const value = JSON.parse(text.toString('utf8', plan.value!.start, plan.value!.end)) as unknown;
        const out = old.kind === 'whole' ? this.parts.part(value, redactor) : undefined;
        fields[plan.changed] = { kind: old.kind, value: old.kind === 'rest' ? value : standIn(value), out };
      }
    }
    // The small fields redacted together and the lists linked, as for a body read whole (both cheap: cached).
    const parsed: Record<string, unknown> = {};
    const rest: Record<string, unknown> = {};
    entry.shape.fields.forEach(({ key }, i) => {
      parsed[key] = fields[i]!.value;
      if (fields[i]!.kind === 'rest') rest[key] = fields[i]!.value;
    });
    const redactedRest = this.parts.rest(rest, redactor);
    const byKey = new Map<string, unknown>();
    entry.shape.fields.forEach(({ key }, i) => {
      const field = fields[i]!;
      if (field.kind === 'rest') fields[i] = { ...field, out: redactedRest[key] };
      else if (field.kind === 'list') fields[i] = { ...field, out: this.parts.list(field.items!) };
      byKey.set(key, fields[i]!.out);
    });
    const body: Record<string, unknown> = {};
    for (const key of Object.keys(parsed)) body[key] = byKey.get(key);
    // The same text again (a retry): the entry's own copy serves.
    const shape = nextShape(
      entry.shape,
      plan.changed < 0 ? entry.shape.text : this.update(entry, text, plan),
      plan,
      added,
    );
    this.keep({ endpoint: entry.endpoint, shape, fields }, entry);
    return { parsed, body };
  }

  /**
   * Puts `entry` first, in place of the one it was made from (its conversation has moved on: comparing with both
   * would cost a compare of the whole text more per request).
   */
  private keep(entry: Entry, from?: Entry): void {
    const recent = [entry, ...this.recent.filter((e) => e !== from)];
    let bytes = 0;
    this.recent = recent.filter((e, i) => {
      bytes += e.shape.text.length;
      return e === entry || (i < RECENT && bytes <= MAX_BYTES);
    });
    for (const e of from ? [from, ...recent] : recent)
      if (!this.recent.includes(e) && e.shape.text.buffer !== entry.shape.text.buffer) this.recycle(e.shape.text);
  }

  /**
   * `text` in the buffer of the entry it is read against, which it replaces: only from where the two first differ
   * (a few KB a turn, where a whole copy is 200 KB of memory traffic more), when it has room; else a copy.
   */
  private update(entry: Entry, text: Buffer, plan: Plan): Buffer {
    const old = entry.shape.text;
    if (old.buffer.byteLength - old.byteOffset < text.length) return this.copy(text);
    // Bytes before the changed list's first new element, or before the changed value, are equal in both.
    const same = plan.from ?? plan.value!.start;
    const buffer = Buffer.from(old.buffer, old.byteOffset, text.length);
    text.copy(buffer, same, same);
    return buffer;
  }

  /** `text` copied into a spare buffer large enough, or a new one with room to grow. */
  private copy(text: Buffer): Buffer {
    const i = this.spare.findIndex((b) => b.length >= text.length);
    const buffer = i >= 0 ? this.spare.splice(i, 1)[0]! : Buffer.allocUnsafeSlow(Math.ceil(text.length * GROWTH));
    text.copy(buffer);
    return buffer.subarray(0, text.length);
  }

  /** A kept text's buffer (all made by `copy`: each its own ArrayBuffer), whole again, for a later copy. */
  private recycle(text: Buffer): void {
    if (this.spare.length < SPARE_BUFFERS) this.spare.push(Buffer.from(text.buffer));
  }
}

/** A resent part as describeRequest needs it: of an array only its length is read, so only that is kept. */
function standIn(value: unknown): unknown {
  return Array.isArray(value) ? new Array(value.length) : value;
}
