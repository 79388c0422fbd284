/** What one file's read pass keeps between events: blobs, message chains, the thread trie, pending exchanges. */
import { isBlobRef, resolveBlobRef } from '../../src/log/refs.js';
import { LazyBlobs, type LogCheck, type OffsetLine } from '../../src/log/read.js';
import { LatestHolder, ThreadTrie } from '../model/placement.js';
import { MessageChains } from './chain.js';
import type { CollectResult, Draft } from './draft.js';
import { missingMessage, missingText } from './missing.js';
import type { ReadSubscriber } from './subscriber.js';

export interface FileOptions {
  onWarning?: (message: string) => void;
  onBytes?: (bytesDone: number) => void;
  subscribers?: readonly ReadSubscriber[];
}

/** An event as parsed, with its line (for warnings) and the event's own time fields. */
export interface EventIn {
  ev: Record<string, unknown>;
  raw: OffsetLine;
  time: { time?: number; mono?: number };
}

export class FileState {
  readonly blobs: LazyBlobs;
  /** Blobs referenced but never written (a damaged log): shown as "missing content", counted, told once. */
  readonly missing = new Set<string>();
  readonly chains: MessageChains;
  readonly trie = new ThreadTrie<Draft>();
  /** Tool-call input strings (by text hash) → the call: a later thread starting with one was spawned by it. */
  readonly spawn = new Map<string, { draft: Draft; toolUseId: string; tool: string }>();
  /** The latest request holding each message (by key): where a trimmed request's conversation went on. */
  readonly lastHolding = new LatestHolder<Draft>();
  readonly pending = new Map<string, Draft>();
  /** Trie nodes whose stream broke: the next non-streamed request there is a retry after it. */
  readonly broken = new Set<number>();
  readonly subscribers: readonly ReadSubscriber[];
  clock: { time: number; mono: number } | undefined;
  threads = 0;
  private lastTime = 0;

  constructor(
    readonly file: string,
    readonly out: CollectResult,
    readonly check: LogCheck,
    readonly options: FileOptions,
  ) {
    this.blobs = new LazyBlobs(file);
    this.chains = new MessageChains(this.blobs, (hash) => this.missingBlob(hash));
    this.subscribers = options.subscribers ?? [];
  }

  missingBlob(hash: string): unknown {
    this.missing.add(hash);
    return missingMessage(hash);
  }

  /** The first event with both clocks anchors the monotonic clock to the wall. */
  anchor(time: { time?: number; mono?: number }): void {
    if (time.time !== undefined && time.mono !== undefined) this.clock ??= { time: time.time, mono: time.mono };
  }

  /** Wall time from the monotonic clock when the event has both; else its own time; else the last one seen. */
  wall(ev: { time?: number; mono?: number }): number {
    const clock = this.clock;
    const t = clock && ev.mono !== undefined ? clock.time + (ev.mono - clock.mono) : (ev.time ?? this.lastTime);
    this.lastTime = t;
    return t;
  }

  resolve(v: unknown): { value: unknown; hash?: string } {
    if (!isBlobRef(v)) return { value: v };
    if (!this.blobs.has(v.$blob)) {
      this.missing.add(v.$blob);
      return { value: missingText(v.$blob), hash: v.$blob };
    }
    return { value: resolveBlobRef(v, this.blobs.get(v.$blob)), hash: v.$blob };
  }

  warnAt(raw: OffsetLine, message: string): void {
    this.options.onWarning?.(`${this.file}:${raw.line}: ${message}`);
  }
}
