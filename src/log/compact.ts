/**
 * A request body as the log keeps it: redacted, with the parts agents resend every turn (system prompt, tools, each
 * message) replaced by blob references (blobs.ts). Each part is redacted once per session: a part of blobMinBytes or
 * more is found again by the hash of its raw JSON, a smaller one by its raw JSON itself. Raw hashes and raw JSON live
 * in memory only; only redacted content is hashed to disk.
 */
import { splitCacheMarkers } from '../exchange/cache-markers.js';
import { contentHash } from '../exchange/hash.js';
import { isRecord } from '../exchange/json.js';
import type { Endpoint } from '../exchange/types.js';
import type { Redactor } from '../policy/redact/types.js';
import { BlobStore, ListStore, repeatedParts } from './blobs.js';
import type { BlobRef, ListRef } from './events.js';
import { isBlobRef } from './refs.js';
import { type Composed, type ListItems, ShapeMemory } from './shape-memory.js';

/** Caps memory of the raw-part cache (hash → blob ref); old entries just cost a re-redaction. */
const PART_CACHE_LIMIT = 50_000;
/**
 * Caps the cache of parts too small for a blob (their raw JSON → redacted value): an assistant's `tool_use` message
 * is resent every turn, and scanning it again each time grows with turns². Entries are under blobMinBytes each.
 */
const SMALL_CACHE_LIMIT = 20_000;
/** The longest raw JSON the small cache keeps for what is not a part (a body's other fields). */
const SMALL_CACHE_MAX_CHARS = 4096;

export class BodyCompactor {
  private readonly blobs: BlobStore;
  private readonly lists: ListStore;
  /** contentHash(raw part JSON) → its blob ref. */
  private readonly partCache = new Map<string, BlobRef>();
  /** Raw JSON of a part below blobMinBytes → its redacted value. */
  private readonly smallCache = new Map<string, unknown>();
  /** Recent bodies' texts and what was made of them: a resent conversation is read only where it changed. */
  private readonly shapes = new ShapeMemory(this);
  private scratch = Buffer.alloc(0);

  constructor(
    private readonly blobMinBytes: number,
    writeBlob: (hash: string, content: unknown) => void,
  ) {
    this.blobs = new BlobStore(writeBlob);
    this.lists = new ListStore(this.blobs);
  }

  /** The redacted body, with the parts agents resend every turn replaced by blob references. */
  body(endpoint: Endpoint, body: unknown, redactor: Redactor): unknown {
    if (!isRecord(body)) return redactor.value(body);
    return this.compose(endpoint, body, redactor).out;
  }

  /**
   * The same from the body's text (or its UTF-8 bytes, read during this call only), and the parsed body (for describeRequest; a resent list's kept elements are
   * holes in it, only its length is true). Reads only what differs from a recent request's text (body-shape.ts).
   */
  text(endpoint: Endpoint, text: string | Buffer, redactor: Redactor): { parsed: unknown; body: unknown } {
    const bytes = typeof text === 'string' ? this.encode(text) : text;
    const reused = this.shapes.reuse(endpoint, bytes, redactor);
    if (reused) return reused;
    const parsed = parseBody(typeof text === 'string' ? text : text.toString());
    if (!isRecord(parsed)) return { parsed, body: redactor.value(parsed) };
    const composed = this.compose(endpoint, parsed, redactor);
    this.shapes.remember(endpoint, bytes, parsed, composed);
    return { parsed, body: composed.out };
  }

  /** A text's UTF-8 in a buffer reused from call to call (ShapeMemory copies what it keeps). */
  private encode(text: string): Buffer {
    const size = Buffer.byteLength(text);
    if (this.scratch.length < size) this.scratch = Buffer.allocUnsafeSlow(size * 2);
    return this.scratch.subarray(0, this.scratch.write(text));
  }

  /** The body's fields as the log keeps them, and each resent list's elements as they are in its `$list`. */
  private compose(endpoint: Endpoint, body: Record<string, unknown>, redactor: Redactor): Composed {
    const { whole, each } = repeatedParts(endpoint);
    const rest: Record<string, unknown> = {};
    const out: Record<string, unknown> = {};
    const lists = new Map<string, ListItems>();
    for (const [key, value] of Object.entries(body)) {
      if (whole.includes(key)) out[key] = this.part(value, redactor);
      else if (each.includes(key) && Array.isArray(value)) {
        const outs = value.map((item) => this.message(item, redactor));
        const items = { outs, keys: outs.map((item) => JSON.stringify(item)) };
        lists.set(key, items);
        out[key] = this.list(items);
      } else rest[key] = value;
    }
    // Keep the agent's key order: it is what a reader expects to see.
    const redactedRest = this.rest(rest, redactor);
    const ordered: Record<string, unknown> = {};
    for (const key of Object.keys(body)) ordered[key] = key in out ? out[key] : redactedRest[key];
    return { out: ordered, lists };
  }

  /** A resent list as a `$list` reference. */
  list(items: ListItems): ListRef {
    return this.lists.ref(items.outs, items.keys);
  }

  /** The fields that are not resent parts, redacted together (through the small cache). */
  rest(rest: Record<string, unknown>, redactor: Redactor): Record<string, unknown> {
    return this.cached(rest, () => redactor.value(rest));
  }

  /** One message of a list: a blob without its cache markers, the markers on the reference. */
  message(value: unknown, redactor: Redactor): unknown {
    const { bare, markers } = splitCacheMarkers(value);
    if (!markers) return this.part(value, redactor);
    const ref = this.part(bare, redactor);
    // A message too small for a blob stays inline, markers and all.
    return isBlobRef(ref) ? { ...ref, $cache: markers } : this.small(value, JSON.stringify(value), redactor);
  }

  /** A resent part (a system prompt, a tool list): a blob reference, or its redacted value when small. */
  part(value: unknown, redactor: Redactor): unknown {
    const raw = JSON.stringify(value);
    if (raw === undefined || raw.length < this.blobMinBytes) return this.small(value, raw, redactor);
    const rawKey = contentHash(raw);
    const cached = this.partCache.get(rawKey);
    if (cached) return cached;
    const redacted = redactor.value(value);
    const json = JSON.stringify(redacted);
    // Nothing redacted (most parts): the raw JSON's hash is the blob's.
    const ref = this.blobs.ref(redacted, json, json === raw ? rawKey : undefined);
    if (this.partCache.size >= PART_CACHE_LIMIT) this.partCache.delete(this.partCache.keys().next().value!);
    this.partCache.set(rawKey, ref);
    return ref;
  }

  /** `redact()`, through the small cache when the value's JSON is short. */
  private cached<T>(value: T, redact: () => T): T {
    const raw = JSON.stringify(value);
    if (raw.length > SMALL_CACHE_MAX_CHARS) return redact();
    return this.remember(raw, redact) as T;
  }

  /** A part too small for a blob, redacted once per session (the same value is written each time it comes). */
  private small(value: unknown, raw: string | undefined, redactor: Redactor): unknown {
    if (raw === undefined) return redactor.value(value);
    return this.remember(raw, () => redactor.value(value));
  }

  private remember(raw: string, redact: () => unknown): unknown {
    const cached = this.smallCache.get(raw);
    if (cached !== undefined) return cached;
    const redacted = redact();
    if (this.smallCache.size >= SMALL_CACHE_LIMIT) this.smallCache.delete(this.smallCache.keys().next().value!);
    this.smallCache.set(raw, redacted);
    return redacted;
  }
}

/** A body's text as a value: parsed when it is JSON, the text itself when not. */
export function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
