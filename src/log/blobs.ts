/**
 * Content-addressed blobs. Agents resend the system prompt, the tool list and the whole history every
 * turn; each such part is written once (a `blob` event) and referenced by hash afterwards, so a log grows
 * with new content, not with turns². Blobs are per file: a reader of one `<pid>.ndjson` never needs another.
 *
 * Two kinds of reference:
 *   { "$blob": h }  — the blob's content is the value (a system prompt, a tool list, one message)
 *   { "$list": h }  — an array built as a chain: blob h is { prefix: h' | null, items: [...] }, the array is
 *                     expand(h') followed by items. Each turn adds one small link with its new messages,
 *                     instead of re-listing a reference per message (which is still turns² in references).
 */
import { createHash } from 'node:crypto';
import type { Endpoint } from '../exchange/types.js';
import type { BlobRef, ListRef } from './events.js';

/** Which fields of a request body are resent every turn: `whole` as one blob, `each` element as its own. */
const REPEATED_PARTS: Record<Endpoint, { whole: readonly string[]; each: readonly string[] }> = {
  'anthropic.messages': { whole: ['system', 'tools'], each: ['messages'] },
  'anthropic.count_tokens': { whole: ['system', 'tools'], each: ['messages'] },
  'openai.chat': { whole: ['tools'], each: ['messages'] },
  'openai.responses': { whole: ['instructions', 'tools'], each: ['input'] },
  custom: { whole: [], each: [] },
};

export function repeatedParts(endpoint: Endpoint): { whole: readonly string[]; each: readonly string[] } {
  return REPEATED_PARTS[endpoint];
}

/** 128 bits of SHA-256: collision-safe for a log, half the bytes of every reference. */
export function contentHash(json: string): string {
  return createHash('sha256').update(json).digest('hex').slice(0, 32);
}

export class BlobStore {
  private readonly written = new Set<string>();
  constructor(private readonly writeBlob: (hash: string, content: unknown) => void) {}

  /** Writes `content` the first time its JSON is seen; returns the reference either way. */
  ref(content: unknown, json: string): BlobRef {
    const hash = contentHash(json);
    if (!this.written.has(hash)) {
      this.written.add(hash);
      this.writeBlob(hash, content);
    }
    return { $blob: hash };
  }
}

/** How many recent lists a new one may extend; enough for a main loop plus its concurrent sub-agents. */
const RECENT_LISTS = 32;

/** Builds `$list` chains over a BlobStore: a new list links to the longest recent list it extends. */
export class ListStore {
  private recent: { hash: string; keys: string[] }[] = [];
  constructor(private readonly blobs: BlobStore) {}

  /** `keys[i]` identifies `items[i]` (its JSON): equal keys mean equal items. */
  ref(items: readonly unknown[], keys: readonly string[]): ListRef {
    let base: { hash: string; keys: string[] } | undefined;
    for (const list of this.recent) {
      if (list.keys.length > keys.length || (base && list.keys.length <= base.keys.length)) continue;
      if (list.keys.every((key, i) => key === keys[i])) base = list;
    }
    if (base && base.keys.length === keys.length) return { $list: base.hash };
    const content = { prefix: base?.hash ?? null, items: items.slice(base?.keys.length ?? 0) };
    const hash = this.blobs.ref(content, JSON.stringify(content)).$blob;
    this.recent = [{ hash, keys: [...keys] }, ...this.recent.filter((l) => l.hash !== hash)].slice(0, RECENT_LISTS);
    return { $list: hash };
  }
}
