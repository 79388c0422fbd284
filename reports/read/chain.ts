/**
 * The messages of logged requests, without expanding them: a `$list` chain (src/log/blobs.ts) is known by
 * its links' normalised message keys, counts and sizes, kept when the link's blob goes by; message content
 * is read back from the file (LazyBlobs) only for the few messages a report looks at.
 */
import { isBlobRef, resolveBlobRef } from '../../src/log/refs.js';
import type { LazyBlobs } from '../../src/log/read.js';
import { messageKey } from '../../src/exchange/cache-markers.js';
import { contentHash } from '../../src/exchange/hash.js';
import { isRecord as isObj } from '../../src/exchange/json.js';
import { recentEntry } from '../model/recent.js';
import { truncateDeep } from './cut.js';
import { cutJson, factsView, scanMessage } from './scan.js';
import type { PageMessage } from './subscriber.js';

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

/** Messages smaller than this are parsed whole for their facts (a view would not cut anything). */
const VIEW_MIN = 16 << 10;

/**
 * Facts views kept (a few KB each): from when their blob is read to when a request adds the message (usually the
 * next line), and the first messages of threads, which every request of the thread reads.
 */
const RECENT_VIEWS = 64;

/** Views with strings cut (and the messages made of them): the facts may read them, a page must not show them. */
const CUT = new WeakSet<object>();
export const isCutView = (m: unknown): boolean => typeof m === 'object' && m !== null && CUT.has(m);

/** Lists kept read (a main loop, its sub-agents, side calls). */
const RECENT_LISTS = 16;

/** Longest chain followed: far beyond any real session, short of a corrupted loop. */
const MAX_LINKS = 1_000_000;

export class MessageChains {
  private readonly links = new Map<string, Link>();
  /** Normalised keys of blob-referenced (large) messages, by blob hash. */
  private readonly blobKeys = new Map<string, string>();
  private readonly recentViews = new Map<string, object>();
  /**
   * The lists read last, by head, most recent last (a request asks for its list ~6 times, and a main loop's next
   * request extends it after a sub-agent's requests).
   */
  private readonly lists = new Map<string, Listed>();

  constructor(
    private readonly blobs: LazyBlobs,
    /** What stands for a message whose blob the log never wrote. */
    private readonly missing: (hash: string) => unknown = () => undefined,
    /** Lists kept read. */
    private readonly recent = RECENT_LISTS,
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
    // A walk that stopped at a missing link may go further now; a whole one cannot change (links are by content).
    for (const [head, list] of this.lists) if (!list.whole) this.lists.delete(head);
    this.links.set(hash, { prefix, ...(keep !== undefined ? { keep } : {}), keys, sizes });
  }

  /**
   * A message blob known by its bytes (`buf[start, end)`, its content as written): its key, without parsing it —
   * most often its own hash (scan.ts).
   */
  addRawMessage(hash: string, buf: Buffer, start: number, end: number): void {
    // Its facts view now too, while its bytes are in memory: no second read of the file for it.
    const scan = scanMessage(buf, start, end, end - start >= VIEW_MIN, hash);
    if (scan?.key !== undefined && !this.blobKeys.has(hash)) this.blobKeys.set(hash, scan.key);
    const view = scan?.view;
    if (typeof view === 'object' && view !== null) this.rememberView(hash, view);
  }

  /** Most recently used last: the first messages of a thread, read by every request of it, stay. */
  private rememberView(hash: string, view: object): void {
    this.recentViews.delete(hash);
    this.recentViews.set(hash, view);
    if (this.recentViews.size > RECENT_VIEWS) this.recentViews.delete(this.recentViews.keys().next().value!);
  }

  has(head: string): boolean {
    return this.links.has(head);
  }

  bytes(head: string): number {
    const { sums } = this.listed(head);
    return sums[sums.length - 1]!;
  }

  /** Every message's key, in order: valid until another list is read (one extending it grows it in place). */
  keys(head: string): readonly string[] {
    return this.listed(head).keys;
  }

  /** Messages `[from, count)`, content read back from the file. */
  items(head: string, from: number): unknown[] {
    return this.entries(head)
      .slice(from)
      .map((e) => this.item(e));
  }

  /**
   * Messages `[from, count)` as the facts read them: a long user message's long strings cut (scan.ts
   * factsView), so a 200 KB tool output is not parsed to learn that it is one.
   */
  views(head: string, from: number): unknown[] {
    return this.entries(head)
      .slice(from)
      .map((e) => this.view(e));
  }

  /** The first `n` messages, as views (see `views`). */
  firstViews(head: string, n: number): unknown[] {
    return this.entries(head)
      .slice(0, n)
      .map((e) => this.view(e));
  }

  /**
   * Messages `[from, count)` as a page keeps them (see RequestRead.addedForPage): a message's hash is its blob's
   * when it was written as a blob without cache markers (its content hash), else derived from its reference.
   */
  pageItems(head: string, from: number): PageMessage[] {
    return this.entries(head)
      .slice(from)
      .map((e) => {
        const it = (this.blobs.get(e.hash) as { items: unknown[] }).items[e.index];
        if (!isBlobRef(it) || !this.blobs.has(it.$blob)) return pageMessage(this.resolve(it));
        const { $blob, $cache } = it;
        return {
          hash: $cache ? contentHash(`${$blob}\0${JSON.stringify($cache)}`) : $blob,
          cut: (max) => resolveBlobRef(it, this.cutBlob($blob, max)),
        };
      });
  }

  /** A blob's content with strings longer than `max` cut: from its bytes when it is long (scan.ts cutJson). */
  private cutBlob(hash: string, max: number): unknown {
    const raw = (this.blobs.size(hash) ?? 0) > max ? this.blobs.raw(hash) : undefined;
    const cut = raw && cutJson(raw, 0, raw.length, max);
    return cut !== undefined ? cut : truncateDeep(this.blobs.get(hash), max);
  }

  /** Message `i`, whole. */
  at(head: string, i: number): unknown {
    const e = this.entries(head)[i];
    return e ? this.item(e) : undefined;
  }

  /** The list's messages as positions in its links, oldest first. */
  private entries(head: string): Entry[] {
    return this.listed(head).entries;
  }

  /** The list as read, kept among the recent ones. */
  private listed(head: string): Listed {
    return recentEntry(this.lists, head, this.recent, () => this.extend(head) ?? this.walk(head));
  }

  /**
   * A request's list is most often a recent list plus a link: that list's arrays, cut to what the link keeps, plus
   * the link's own messages (no walk of the whole chain again: a long thread would cost its length squared). In
   * place: the list it was is no longer kept (`keys` says how long its array holds).
   */
  private extend(head: string): Listed | undefined {
    const link = this.links.get(head);
    const base = link?.prefix != null ? this.lists.get(link.prefix) : undefined;
    if (!link || !base) return undefined;
    this.lists.delete(link.prefix!);
    if (link.keep !== undefined && link.keep < base.entries.length) cut(base, link.keep);
    append(base, head, link);
    return base;
  }

  /** The chain walked back, then replayed; `whole` when it reached the first link. */
  private walk(head: string): Listed {
    const chain: [string, Link][] = [];
    let h: string | null = head;
    for (let n = 0; h !== null && n < MAX_LINKS; n++) {
      const link = this.links.get(h);
      if (!link) break;
      chain.push([h, link]);
      h = link.prefix;
    }
    const out: Listed = { entries: [], keys: [], sums: [0], whole: h === null };
    for (const [hash, link] of chain.reverse()) {
      if (link.keep !== undefined && link.keep < out.entries.length) cut(out, link.keep);
      append(out, hash, link);
    }
    return out;
  }

  private item(entry: Entry): unknown {
    const node = this.blobs.get(entry.hash) as { items: unknown[] };
    return this.resolve(node.items[entry.index]);
  }

  private view(entry: Entry): unknown {
    const it = (this.blobs.get(entry.hash) as { items: unknown[] }).items[entry.index];
    if (!isBlobRef(it) || (this.blobs.size(it.$blob) ?? 0) < VIEW_MIN) return this.resolve(it);
    let view = this.recentViews.get(it.$blob);
    if (!view) {
      const raw = this.blobs.raw(it.$blob);
      const v = raw ? factsView(raw, 0, raw.length) : undefined;
      if (typeof v !== 'object' || v === null) return this.resolve(it);
      view = v;
    }
    this.rememberView(it.$blob, view);
    const m = resolveBlobRef(it, view) as object;
    CUT.add(m);
    return m;
  }

  resolve(it: unknown): unknown {
    if (!isBlobRef(it)) return it;
    return this.blobs.has(it.$blob) ? resolveBlobRef(it, this.blobs.get(it.$blob)) : this.missing(it.$blob);
  }
}

/**
 * A list's messages, their keys, and its bytes so far (`sums[i]`: the first i messages'); `whole`: its walk reached
 * the first link (then no later blob can change it).
 */
interface Listed {
  entries: Entry[];
  keys: string[];
  sums: number[];
  whole: boolean;
}

/** Keeps the first `n` messages. */
function cut(list: Listed, n: number): void {
  list.entries.length = n;
  list.keys.length = n;
  list.sums.length = n + 1;
}

/** Adds the link's own messages. */
function append(list: Listed, hash: string, link: Link): void {
  let total = list.sums[list.sums.length - 1]!;
  for (let index = 0; index < link.keys.length; index++) {
    list.entries.push({ hash, index });
    list.keys.push(link.keys[index]!);
    total += link.sizes[index]!;
    list.sums.push(total);
  }
}

/** A message already in memory, as a page keeps it. */
export const pageMessage = (m: unknown): PageMessage => ({
  hash: contentHash(JSON.stringify(m)),
  cut: (max) => truncateDeep(m, max),
});
