/**
 * What the rules remember of each conversation between its requests, to price a rewrite honestly:
 *
 *  - the prompt-cache prefix, twice: as the agent wrote the last request and as it was sent. A rewrite that
 *    keeps the sent prefix stable (a deterministic cut) reads it from the cache at 0.1×; one that changes it
 *    every turn (a sliding window) writes it again at 1.25×, and that is charged, not ignored.
 *  - how the size estimate compares with what the API counted for the last sent request (its usage), so
 *    `inputTokens` and the figures in the log come from usage where there is one.
 *
 * A conversation is keyed by its first message (without cache markers): the agent's main loop, each
 * sub-agent and each utility call start differently. Bounded: the oldest conversations are forgotten.
 */
import { withoutCacheMarkers } from '../../exchange/cache-markers.js';
import { contentHash } from '../../exchange/hash.js';
import type { Usage } from '../../exchange/types.js';
import type { AnthropicBody } from './types.js';

/** The request as the prompt cache sees it: tools, system, then each message, in order. */
export interface PrefixShape {
  model: string;
  /** One fingerprint per part (cache markers left out: they move without changing the prefix). */
  parts: string[];
  /** Estimated tokens up to and including each part. */
  upTo: number[];
  /** Estimated tokens up to the last cache breakpoint (0: the request asks for no caching). */
  cached: number;
}

/** Estimated input tokens by how they are billed. */
export interface CacheSplit {
  read: number;
  write: number;
  input: number;
}

interface Conversation {
  /** The last request as the agent wrote it. */
  original?: PrefixShape;
  /** The last request as the rules made it (sent, or in a dry run what would have been). */
  rewritten?: PrefixShape;
  /** API-counted input tokens per estimated token, from the last sent request's usage. */
  ratio?: number;
}

export function shapeOf(body: AnthropicBody): PrefixShape {
  const pieces: unknown[] = [body.tools ?? [], body.system ?? '', ...body.messages];
  const parts: string[] = [];
  const upTo: number[] = [];
  let total = 0;
  let cached = 0;
  for (const piece of pieces) {
    const { fingerprint, tokens, marked } = pieceOf(piece);
    total += tokens;
    if (marked) cached = total; // this part carries a breakpoint
    parts.push(fingerprint);
    upTo.push(total);
  }
  return { model: body.model, parts, upTo, cached };
}

interface Piece {
  fingerprint: string;
  tokens: number;
  marked: boolean;
}

// Actions share the parts they leave alone with the original (they are pure), so the rewritten request's shape
// reuses the original's work for every unchanged message.
const pieces = new WeakMap<object, Piece>();

function pieceOf(piece: unknown): Piece {
  const known = typeof piece === 'object' && piece !== null ? pieces.get(piece) : undefined;
  if (known) return known;
  const json = JSON.stringify(piece);
  const bare = withoutCacheMarkers(json);
  const made = { fingerprint: contentHash(bare), tokens: Math.ceil(bare.length / 4), marked: bare !== json };
  if (typeof piece === 'object' && piece !== null) pieces.set(piece, made);
  return made;
}

/**
 * How a request's input would be billed, given the request before it in the same conversation: the prefix it
 * shares with that one (same model, up to both breakpoints) is read from the cache, the rest up to its own
 * breakpoint is written, and what follows the breakpoint is plain input.
 */
export function cacheSplit(current: PrefixShape, previous: PrefixShape | undefined): CacheSplit {
  const total = current.upTo.at(-1) ?? 0;
  let read = 0;
  if (previous && previous.model === current.model && current.cached > 0) {
    let same = 0;
    while (same < current.parts.length && same < previous.parts.length && current.parts[same] === previous.parts[same])
      same++;
    read = Math.min(same > 0 ? current.upTo[same - 1]! : 0, previous.cached, current.cached);
  }
  return { read, write: current.cached - read, input: total - current.cached };
}

export class ConversationLedger {
  private readonly conversations = new Map<string, Conversation>();

  constructor(private readonly limit = 256) {}

  keyOf(body: AnthropicBody): string | undefined {
    const first = body.messages[0];
    // The same part fingerprints as the shape's (shapeOf then finds the first message's already made).
    return first === undefined ? undefined : `${pieceOf(body.system ?? '').fingerprint}:${pieceOf(first).fingerprint}`;
  }

  get(key: string): Readonly<Conversation> {
    return this.conversations.get(key) ?? {};
  }

  /** The request as the agent wrote it and as the rules made it (the same shape when nothing was rewritten). */
  remember(key: string, original: PrefixShape, rewritten: PrefixShape): void {
    this.touch(key, { ...this.get(key), original, rewritten });
  }

  /** The sent request's usage: the ratio of counted to estimated input tokens, for the next request. */
  settle(key: string, sent: PrefixShape, usage: Usage): void {
    const counted =
      (usage.input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0);
    const estimated = sent.upTo.at(-1) ?? 0;
    if (counted > 0 && estimated > 0) this.touch(key, { ...this.get(key), ratio: counted / estimated });
  }

  private touch(key: string, value: Conversation): void {
    this.conversations.delete(key); // re-inserted last: the map's order is least recently used first
    this.conversations.set(key, value);
    if (this.conversations.size > this.limit) this.conversations.delete(this.conversations.keys().next().value!);
  }
}
