/**
 * What the read pass hands the render stages that keep captured content (the HTML's detail, `--export-prompts`
 * files): each request once read, each response once ended. The reader itself writes nothing.
 */
import type { Draft, Interned } from './read.js';

export interface RequestRead {
  draft: Draft;
  headers: Record<string, string>;
  /** The request body (blob references resolved where the reader needed them); absent without one. */
  body?: Record<string, unknown>;
  /** The system prompt's blocks, interned by hash; `first`: its first request in the session. */
  system?: { hash: string; first: boolean };
  /** The tool definitions, interned by hash. */
  tools?: { hash: string; list: unknown[]; first: boolean };
  /** The messages this request added after its parent's (parsed when first read). */
  added: unknown[];
  /**
   * The same messages as a page keeps them, without parsing a long one whole: each one's content hash (the blob's
   * where the log gives it) and the message with strings longer than `max` characters cut (cut.ts).
   */
  addedForPage: () => PageMessage[];
  /** The request of the same thread this one extends. */
  parent?: Draft;
  /** The `<system-reminder>` blocks of the added messages, whole. */
  reminders: { text: string; hash: string }[];
  interned: Interned;
}

/** A message as a page keeps it (see RequestRead.addedForPage). */
export interface PageMessage {
  /** Names the message's content: the same content, the same hash. */
  hash: string;
  /** The message with every string longer than `max` characters cut (cut.ts truncateDeep). */
  cut: (max: number) => unknown;
}

export interface ReadSubscriber {
  request?(read: RequestRead): void;
  /** The exchange ended: the response body as logged. */
  end?(draft: Draft, body: unknown): void;
  /** Requests without an end (a cut log), at the end of their file. */
  unfinished?(draft: Draft): void;
  /** Resolves when what was written has been flushed enough to read on (backpressure). */
  drained?(): Promise<void>;
}
