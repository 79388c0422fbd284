/**
 * Shorten large tool results (and, optionally, large user text blocks): keep the head and the tail with a
 * marker saying how much was cut. Deterministic, so the same history is cut the same way every turn and the
 * prompt cache keeps its prefix from the first cut on.
 */
import { dropThinkingFrom, withMessages } from '../conversation.js';
import type { Action, Block, Message } from '../types.js';

export interface TruncateOptions {
  /** Longest text kept, in characters (the marker comes on top). */
  maxChars: number;
  /** Share of `maxChars` kept from the start; the rest from the end. Default 0.7. */
  headShare?: number;
  /** Which blocks: tool results (default) and/or the text blocks of user messages. */
  blocks?: ('tool_result' | 'text')[];
}

export function truncateLarge(options: TruncateOptions): Action {
  const kinds = new Set(options.blocks ?? ['tool_result']);
  const cut = (text: string) => cutMiddle(text, options.maxChars, options.headShare ?? 0.7);
  return (target) => {
    let firstChange = -1;
    const messages = target.body.messages.map((message, i) => {
      if (message.role !== 'user') return message;
      const next = truncateMessage(message, kinds, cut);
      if (next !== message && firstChange < 0) firstChange = i;
      return next;
    });
    if (firstChange < 0) return target;
    // Thinking after a change to the history is no longer bound to its prefix (docs/rewrite-validity.md#thinking-signatures).
    return { ...target, body: withMessages(target.body, dropThinkingFrom(messages, firstChange)) };
  };
}

function truncateMessage(message: Message, kinds: Set<string>, cut: (t: string) => string): Message {
  if (typeof message.content === 'string') {
    const text = kinds.has('text') ? cut(message.content) : message.content;
    return text === message.content ? message : { ...message, content: text };
  }
  let changed = false;
  const content = message.content.map((block) => {
    const next = truncateBlock(block, kinds, cut);
    if (next !== block) changed = true;
    return next;
  });
  return changed ? { ...message, content } : message;
}

function truncateBlock(block: Block, kinds: Set<string>, cut: (t: string) => string): Block {
  if (block.type === 'text' && kinds.has('text') && typeof block.text === 'string') {
    const text = cut(block.text);
    return text === block.text ? block : { ...block, text };
  }
  if (block.type !== 'tool_result' || !kinds.has('tool_result')) return block;
  if (typeof block.content === 'string') {
    const text = cut(block.content);
    return text === block.content ? block : { ...block, content: text };
  }
  if (!Array.isArray(block.content)) return block;
  let changed = false;
  const content = (block.content as Block[]).map((part) => {
    if (part.type !== 'text' || typeof part.text !== 'string') return part;
    const text = cut(part.text);
    if (text === part.text) return part;
    changed = true;
    return { ...part, text };
  });
  return changed ? { ...block, content } : block;
}

/** Head + marker + tail; never splits a surrogate pair. */
export function cutMiddle(text: string, maxChars: number, headShare: number): string {
  if (text.length <= maxChars) return text;
  let head = Math.floor(maxChars * headShare);
  let tail = text.length - (maxChars - head);
  if (isLowSurrogate(text.charCodeAt(head))) head--;
  if (isLowSurrogate(text.charCodeAt(tail))) tail++;
  const removed = tail - head;
  return `${text.slice(0, head)}\n\n[agenttap: ${removed} characters cut]\n\n${text.slice(tail)}`;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
