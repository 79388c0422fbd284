/**
 * The HTML page's detail, written as the log is read: each exchange's request (system blocks, tools, the
 * messages it added, parameters, headers, what changed since its parent) and response, captured content by
 * hash, once each, into the page's content spool.
 */
import { diffLines } from 'diff';
import { contentHash } from '../../../src/exchange/hash.js';
import { truncateDeep } from '../../read/cut.js';
import type { Draft } from '../../read/read.js';
import type { ReadSubscriber, RequestRead } from '../../read/subscriber.js';

/** Where captured content goes (by hash, once each): the page's content spool. */
export interface DetailSink {
  /** Stores a content item once; false when the report's content budget is spent. */
  content(hash: string, value: unknown): boolean;
  /** Whether the item is stored already. */
  has(hash: string): boolean;
  exchange(key: string, record: ExchangeDetail): void;
  /** Resolves when written content has been flushed enough to read on (backpressure). */
  drained?(): Promise<void>;
}

export interface ExchangeDetail {
  system?: string[];
  tools?: string[];
  /** Messages this request added after its parent's (`parentMessages` of the row), by content hash. */
  added: string[];
  /** The request's other fields (model, max_tokens, thinking, …), truncated. */
  params: Record<string, unknown>;
  headers: Record<string, string>;
  response?: unknown;
  /** Line diff of the system prompt against the parent request's, when it changed: [op, text] with op +, - or =. */
  systemDiff?: [string, string][];
  /** Tools added and removed since the parent request, by name. */
  toolsDiff?: { added: string[]; removed: string[] };
  /** Content left out (budget spent). */
  partial?: boolean;
}

const BODY_PARTS = new Set(['messages', 'input', 'system', 'instructions', 'tools']);

export class HtmlDetail implements ReadSubscriber {
  private readonly pending = new Map<string, ExchangeDetail>();
  /** Each tool set's tools, by hash (every request resends its tools: hashed once per set, not per request). */
  private readonly toolHashes = new Map<string, string[]>();

  /** `maxText`: the longest string kept per content block. */
  constructor(
    private readonly sink: DetailSink,
    private readonly maxText = 16_384,
  ) {}

  request(r: RequestRead): void {
    const detail: ExchangeDetail = { added: [], params: {}, headers: r.headers };
    this.pending.set(r.draft.key, detail);
    if (!r.body) return;
    const { draft: d, interned, parent } = r;
    // Content already in the page is not truncated again (a system prompt, tools and reminders come every request).
    const keep = (hash: string, v: unknown) =>
      this.sink.has(hash) || this.sink.content(hash, truncateDeep(v, this.maxText));
    if (r.system) {
      const s = interned.systems.get(r.system.hash)!;
      s.blocks.forEach((b, k) => {
        keep(b.hash, s.texts[k]);
      });
      detail.system = s.blocks.map((b) => b.hash);
    }
    if (r.tools) {
      const { hash, list } = r.tools;
      let hashes = this.toolHashes.get(hash);
      if (!hashes) {
        hashes = list.map((x) => {
          const h = contentHash(JSON.stringify(x));
          keep(h, x);
          return h;
        });
        this.toolHashes.set(hash, hashes);
      }
      detail.tools = hashes;
    }
    // Against the previous request of the thread: what changed besides the appended messages.
    if (parent && parent.systemHash !== d.systemHash) {
      const before = parent.systemHash ? interned.systems.get(parent.systemHash)!.texts.join('\n\n') : '';
      detail.systemDiff = diffLines(before, d.facts.system.join('\n\n')).map((c) => [
        c.added ? '+' : c.removed ? '-' : '=',
        truncateDeep(c.value, this.maxText) as string,
      ]);
    }
    if (parent && parent.toolsHash !== d.toolsHash) {
      const before = new Set(parent.facts.tools);
      const after = new Set(d.facts.tools);
      detail.toolsDiff = {
        added: [...after].filter((x) => !before.has(x)),
        removed: [...before].filter((x) => !after.has(x)),
      };
    }
    for (const x of r.reminders) keep(x.hash, x.text);
    let partial = false;
    detail.added = r.addedForPage().map(({ hash, cut }) => {
      if (!this.sink.has(hash) && !this.sink.content(hash, cut(this.maxText))) partial = true;
      return hash;
    });
    for (const [k, v] of Object.entries(r.body)) if (!BODY_PARTS.has(k)) detail.params[k] = truncateDeep(v, 2000);
    if (partial) detail.partial = true;
  }

  end(d: Draft, body: unknown): void {
    const detail = this.pending.get(d.key);
    if (!detail) return;
    detail.response = truncateDeep(body, this.maxText);
    this.sink.exchange(d.key, detail);
    this.pending.delete(d.key);
  }

  unfinished(d: Draft): void {
    const detail = this.pending.get(d.key);
    if (detail) this.sink.exchange(d.key, detail);
    this.pending.delete(d.key);
  }

  drained(): Promise<void> {
    return this.sink.drained?.() ?? Promise.resolve();
  }
}
