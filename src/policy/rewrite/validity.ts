/**
 * Is a rewritten request still one the API accepts, and one that does not break the conversation? The API's
 * own rules come from the one shared validator (src/exchange/anthropic-validity.ts); on top, what only a
 * comparison with the original shows (docs/rewrite-validity.md). A rewrite with any
 * problem is never sent: the original goes out and the log says why.
 */
import { countCacheControl, validateAnthropicRequest } from '../../exchange/anthropic-validity.js';
import { blocks, openToolLoop, THINKING_TYPES, thinkingEnabled } from './conversation.js';
import type { AnthropicBody, Message } from './types.js';

export function checkRewrite(original: AnthropicBody, rewritten: AnthropicBody): string[] {
  const problems = validateAnthropicRequest(rewritten);
  const cacheOf = (b: AnthropicBody) =>
    countCacheControl(b.system) + countCacheControl(b.tools) + countCacheControl(b.messages);
  if (cacheOf(rewritten) > cacheOf(original))
    problems.push('the rewrite added a cache_control breakpoint (moving or adding one breaks the cache)');

  const thinkingAt = rewritten.messages.flatMap((m, i) => (hasThinking(m) ? [i] : []));
  if (rewritten.model !== original.model && thinkingAt.length > 0) {
    problems.push(
      `messages.${thinkingAt[0]}: a thinking block signed by ${original.model} is sent to ${rewritten.model}`,
    );
  }
  const changed = firstChange(original, rewritten);
  const stale = thinkingAt.find((i) => changed >= 0 && i >= changed);
  if (stale !== undefined && rewritten.model === original.model) {
    problems.push(
      `messages.${stale}: a thinking block follows a change to the history (at ${changed === 0 ? 'the system prompt, tools or messages.0' : `messages.${changed}`}); it no longer matches its prefix`,
    );
  }
  if (thinkingEnabled(rewritten)) {
    const open = openToolLoop(rewritten.messages);
    const first = open >= 0 ? blocks(rewritten.messages[open]!)[0] : undefined;
    if (open >= 0 && !(first && THINKING_TYPES.has(first.type)) && startsWithThinking(original, open)) {
      problems.push(
        `messages.${open}: thinking is on, but the open tool loop's assistant turn lost its leading thinking block`,
      );
    }
  }
  return problems;
}

function hasThinking(message: Message): boolean {
  return (
    message.role === 'assistant' &&
    Array.isArray(message.content) &&
    message.content.some((b) => THINKING_TYPES.has(b.type))
  );
}

function startsWithThinking(body: AnthropicBody, index: number): boolean {
  const message = body.messages[index];
  const first = message ? blocks(message)[0] : undefined;
  return first !== undefined && THINKING_TYPES.has(first.type);
}

/** Index of the first message that differs (0 when the system prompt or tools changed), -1 when none does. */
function firstChange(original: AnthropicBody, rewritten: AnthropicBody): number {
  const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);
  if (!same(original.system, rewritten.system) || !same(original.tools, rewritten.tools)) return 0;
  const n = Math.max(original.messages.length, rewritten.messages.length);
  for (let i = 0; i < n; i++) if (!same(original.messages[i], rewritten.messages[i])) return i;
  return -1;
}
