/**
 * The messages of logged requests, without expanding them: a `$list` chain (src/log/blobs.ts) is known by
 * its links' normalised message keys, counts and sizes, kept when the link's blob goes by; message content
 * is read back from the file (LazyBlobs) only for the few messages a report looks at.
 */
import { isBlobRef, resolveBlobRef } from '../../src/log/events.js';
import type { LazyBlobs } from '../../src/log/read.js';
import { messageKey } from '../../src/exchange/cache-markers.js';
import { isRecord as isObj } from '../../src/exchange/json.js';

interface Link {
  prefix: string | null;
  /** How many of the prefix list's messages this link keeps (all when absent). */
  keep?: number;
  keys: string[];
  /** Bytes of JSON of each of this link's own messages. */
  sizes: number[];
}

/** A message of a list: the link that holds it and its index there. */
interface Entry {
  hash: string;
  index: number;
}

/** Longest chain followed: far beyond any real session, short of a corrupted loop. */
const MAX_LINKS = 1_000_000;

export class MessageChains {
  private readonly links = new Map<string, Link>();
  /** Normalised keys of blob-referenced (large) messages, by blob hash. */
  private readonly blobKeys = new Map<string, string>();

  constructor(
    private readonly blobs: LazyBlobs,
    /** What stands for a message whose blob the log never wrote. */
    private readonly missing: (hash: string) => unknown = () => undefined,
  ) {}

  /** Remembers a blob if it is a list link (`{prefix, keep?, items}`). */
  addBlob(hash: string, content: unknown): void {
    if (!isObj(content) || !Array.isArray(content.items) || !('prefix' in content)) return;
    const prefix = typeof content.prefix === 'string' ? content.prefix : null;
    const keep = typeof content.keep === 'number' ? content.keep : undefined;
    const sizes: number[] = [];
    const keys = content.items.map((it) => {
      if (isBlobRef(it)) {
        sizes.push(this.blobs.size(it.$blob) ?? 0);
        let key = this.blobKeys.get(it.$blob);
        // The content's key, not the reference's: Claude Code moves cache_control, so the same message comes
        // back as another blob.
        if (key === undefined) {
          key = this.blobs.has(it.$blob) ? messageKey(this.blobs.get(it.$blob)) : `b:${it.$blob}`;
          this.blobKeys.set(it.$blob, key);
        }
        return key;
      }
      sizes.push(JSON.stringify(it).length);
      return messageKey(it);
    });
    this.links.set(hash, { prefix, ...(keep !== undefined ? { keep } : {}), keys, sizes });
  }

  has(head: string): boolean {
    return this.links.has(head);
  }

  bytes(head: string): number {
    return this.entries(head).reduce((n, e) => n + this.links.get(e.hash)!.sizes[e.index]!, 0);
  }

  /** Every message's key, in order. */
  keys(head: string): string[] {
    return this.entries(head).map((e) => this.links.get(e.hash)!.keys[e.index]!);
  }

  /** Messages `[from, count)`, content read back from the file. */
  items(head: string, from: number): unknown[] {
    return this.entries(head)
      .slice(from)
      .map((e) => this.item(e));
  }

  /** The first `n` messages. */
  first(head: string, n: number): unknown[] {
    return this.entries(head)
      .slice(0, n)
      .map((e) => this.item(e));
  }

  /** The list's messages as positions in its links, oldest first (the chain walked back, then replayed). */
  private entries(head: string): Entry[] {
    const chain: [string, Link][] = [];
    for (let h: string | null = head, n = 0; h !== null && n < MAX_LINKS; n++) {
      const link = this.links.get(h);
      if (!link) break;
      chain.push([h, link]);
      h = link.prefix;
    }
    let out: Entry[] = [];
    for (const [hash, link] of chain.reverse()) {
      if (link.keep !== undefined) out = out.slice(0, link.keep);
      for (let index = 0; index < link.keys.length; index++) out.push({ hash, index });
    }
    return out;
  }

  private item(entry: Entry): unknown {
    const node = this.blobs.get(entry.hash) as { items: unknown[] };
    return this.resolve(node.items[entry.index]);
  }

  resolve(it: unknown): unknown {
    if (!isBlobRef(it)) return it;
    return this.blobs.has(it.$blob) ? resolveBlobRef(it, this.blobs.get(it.$blob)) : this.missing(it.$blob);
  }
}
