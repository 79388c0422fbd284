/**
 * Content-addressed blobs. Agents resend the system prompt, the tool list and the whole history every
 * turn; each such part is written once (a `blob` event) and referenced by hash afterwards, so a log grows
 * with new content, not with turns². Blobs are per file: a reader of one `<pid>.ndjson` never needs another.
 *
 * Two kinds of reference:
 *   { "$blob": h }  — the blob's content is the value (a system prompt, a tool list, one message)
 *   { "$list": h }  — an array built as a chain: blob h is { prefix: h' | null, keep?: n, items: [...] },
 *                     the array is the first `keep` elements of expand(h') (all of them without `keep`)
 *                     followed by items. Each turn adds one small link with its new messages, instead of
 *                     re-listing a reference per message (which is still turns² in references). `keep` is
 *                     there because agents edit the tail of their history: Claude Code moves its
 *                     cache_control marker to the newest message every turn, changing the one before.
 */
import { contentHash } from '../exchange/hash.js';
import type { Endpoint } from '../exchange/types.js';
import type { BlobRef, ListRef } from './events.js';

/** Which fields of a request body are resent every turn: `whole` as one blob, `each` element as its own. */
const REPEATED_PARTS: Record<Endpoint, { whole: readonly string[]; each: readonly string[] }> = {
  'anthropic.messages': { whole: ['system', 'tools'], each: ['messages'] },
  'anthropic.count_tokens': { whole: ['system', 'tools'], each: ['messages'] },
  'anthropic.warmup': { whole: [], each: [] },
  'openai.chat': { whole: ['tools'], each: ['messages'] },
  'openai.responses': { whole: ['instructions', 'tools'], each: ['input'] },
  custom: { whole: [], each: [] },
};

export function repeatedParts(endpoint: Endpoint): { whole: readonly string[]; each: readonly string[] } {
  return REPEATED_PARTS[endpoint];
}

export class BlobStore {
  private readonly written = new Set<string>();
  constructor(private readonly writeBlob: (hash: string, content: unknown) => void) {}

  /** Writes `content` the first time its JSON is seen; returns the reference either way. `hash`: `json`'s, if known. */
  ref(content: unknown, json: string, hash = contentHash(json)): BlobRef {
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
    // The recent list sharing the longest prefix with this one; on a tie, one that needs no `keep`.
    let base: { hash: string; keys: string[] } | undefined;
    let common = 0;
    let best = 0;
    for (const list of this.recent) {
      // No better than the best so far even if wholly shared: not compared (a long conversation keeps many lists).
      if (2 * Math.min(list.keys.length, keys.length) + 1 <= best) continue;
      const n = commonPrefix(list.keys, keys);
      const score = 2 * n + (n === list.keys.length ? 1 : 0);
      if (n > 0 && score > best) [base, common, best] = [list, n, score];
    }
    if (base && common === base.keys.length && common === keys.length) return { $list: base.hash };
    const content = !base
      ? { prefix: null, items: [...items] }
      : { prefix: base.hash, ...(common < base.keys.length ? { keep: common } : {}), items: items.slice(common) };
    const hash = this.blobs.ref(content, JSON.stringify(content)).$blob;
    this.recent = [{ hash, keys: [...keys] }, ...this.recent.filter((l) => l.hash !== hash)].slice(0, RECENT_LISTS);
    return { $list: hash };
  }
}

function commonPrefix(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}
