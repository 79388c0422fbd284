/**
 * Facts about a conversation that every action must respect (docs/rewrite-validity.md): which blocks are thinking, whether the last assistant turn is an open tool loop, and how to drop
 * thinking without leaving the API something it rejects.
 */
import type { AnthropicBody, Block, Message } from './types.js';

export const THINKING_TYPES = new Set(['thinking', 'redacted_thinking']);

export function blocks(message: Message): Block[] {
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}

export function hasBlock(message: Message, type: string): boolean {
  return Array.isArray(message.content) && message.content.some((b) => b.type === type);
}

/** A user message that only answers tools (no text of the user's own). */
export function isBareToolResult(message: Message): boolean {
  return (
    message.role === 'user' &&
    Array.isArray(message.content) &&
    message.content.length > 0 &&
    message.content.every((b) => b.type === 'tool_result')
  );
}

export function thinkingEnabled(body: AnthropicBody): boolean {
  return body.thinking?.type === 'enabled' || body.thinking?.type === 'adaptive';
}

/** Index of the last assistant message when it calls tools (the loop is still open), else -1. */
export function openToolLoop(messages: readonly Message[]): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'assistant') return hasBlock(messages[i]!, 'tool_use') ? i : -1;
  }
  return -1;
}

/**
 * Removes thinking blocks from assistant messages at or after `from`. An assistant message left empty gets
 * a short text block (an empty content array is rejected).
 */
export function dropThinkingFrom(messages: readonly Message[], from = 0): Message[] {
  return messages.map((m, i) => {
    if (
      i < from ||
      m.role !== 'assistant' ||
      !Array.isArray(m.content) ||
      !m.content.some((b) => THINKING_TYPES.has(b.type))
    )
      return m;
    const kept = m.content.filter((b) => !THINKING_TYPES.has(b.type));
    return { ...m, content: kept.length > 0 ? kept : [{ type: 'text', text: '[thinking omitted]' }] };
  });
}

/**
 * With thinking on, the API wants an open tool loop's assistant turn to start with its thinking block.
 * When an action had to remove that block, thinking is switched off for this request rather than sent
 * in a shape the API rejects.
 */
export function keepThinkingConsistent(body: AnthropicBody): AnthropicBody {
  if (!thinkingEnabled(body)) return body;
  const open = openToolLoop(body.messages);
  if (open < 0) return body;
  const first = blocks(body.messages[open]!)[0];
  if (first && THINKING_TYPES.has(first.type)) return body;
  const { thinking: _off, ...rest } = body;
  return rest as AnthropicBody;
}

/** The body with new messages, thinking kept consistent. */
export function withMessages(body: AnthropicBody, messages: Message[]): AnthropicBody {
  return keepThinkingConsistent({ ...body, messages });
}
