import { describe, expect, it } from 'vitest';
import {
  capMaxTokens,
  contextManagement,
  cutMiddle,
  dropThinking,
  removeTools,
  setModel,
  trimContext,
  truncateLarge,
} from '../../../src/policy/rewrite/actions/index.js';
import type { AnthropicBody, Message } from '../../../src/policy/rewrite/types.js';

const user = (text: string): Message => ({ role: 'user', content: text });
const thinking = { type: 'thinking', thinking: 't', signature: 's' };
const call = (id: string, name = 'bash') => ({ type: 'tool_use', id, name, input: {} });
const result = (id: string, content: unknown = 'ok') => ({ type: 'tool_result', tool_use_id: id, content });

/** first user message, then `n` tool round-trips (assistant with thinking + call, user with result) */
function loop(n: number, extra: Partial<AnthropicBody> = {}): AnthropicBody {
  const messages: Message[] = [user('task')];
  for (let i = 1; i <= n; i++) {
    messages.push({ role: 'assistant', content: [thinking, call(`t${i}`)] });
    messages.push({ role: 'user', content: [result(`t${i}`, `output ${i}`)] });
  }
  return {
    model: 'claude-opus-4-6',
    max_tokens: 8000,
    thinking: { type: 'enabled', budget_tokens: 4000 },
    tools: [{ name: 'bash' }, { name: 'web' }],
    messages,
    ...extra,
  };
}
const run = (action: ReturnType<typeof setModel>, body: AnthropicBody, headers: Record<string, string> = {}) =>
  action({ body, headers });

describe('setModel', () => {
  it('swaps by map, drops thinking signed by the old model, and turns thinking off for an open tool loop', () => {
    const out = run(setModel({ map: { 'claude-opus-4-6': 'claude-haiku-4-5' } }), loop(2)).body;
    expect(out.model).toBe('claude-haiku-4-5');
    expect(JSON.stringify(out.messages)).not.toContain('"thinking"');
    expect(out.thinking).toBeUndefined();
  });
  it('leaves an unmapped model alone (same object)', () => {
    const body = loop(1);
    expect(run(setModel({ map: { other: 'x' } }), body).body).toBe(body);
  });
});

describe('capMaxTokens', () => {
  it('caps, but never at or below the thinking budget', () => {
    expect(run(capMaxTokens({ max: 1000 }), loop(1)).body.max_tokens).toBe(4001);
    expect(run(capMaxTokens({ max: 1000 }), loop(1, { thinking: undefined })).body.max_tokens).toBe(1000);
    const body = loop(1, { max_tokens: 500, thinking: undefined });
    expect(run(capMaxTokens({ max: 1000 }), body).body).toBe(body);
  });
});

describe('truncateLarge', () => {
  it('keeps head and tail with a marker saying how much was cut', () => {
    expect(cutMiddle('abcdefghij', 4, 0.5)).toBe('ab\n\n[agenttap: 6 characters cut]\n\nij');
    expect(cutMiddle('short', 10, 0.5)).toBe('short');
    // never splits a surrogate pair
    const cut = cutMiddle('🙂🙂🙂🙂🙂🙂', 5, 0.5);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });
  it('cuts tool results (string and block content) and drops thinking after the first cut', () => {
    const body = loop(3);
    (body.messages[2]!.content as Record<string, unknown>[])[0]!.content = 'x'.repeat(100);
    (body.messages[6]!.content as Record<string, unknown>[])[0]!.content = [{ type: 'text', text: 'y'.repeat(100) }];
    const out = run(truncateLarge({ maxChars: 20 }), body).body;
    expect(JSON.stringify(out.messages[2])).toContain('[agenttap: 80 characters cut]');
    expect(JSON.stringify(out.messages[6])).toContain('[agenttap: 80 characters cut]');
    expect(JSON.stringify(out.messages[1])).toContain('"thinking"'); // before the first change: kept
    expect(JSON.stringify(out.messages.slice(3))).not.toContain('"thinking"');
  });
});

describe('trimContext', () => {
  it('removes the oldest whole exchanges, keeps the first user message and says so', () => {
    const out = run(trimContext({ keepExchanges: 2 }), loop(5, { thinking: undefined })).body;
    expect(out.messages.length).toBe(5);
    expect(out.messages[0]!.content).toEqual([
      { type: 'text', text: 'task' },
      { type: 'text', text: '[agenttap: 6 earlier messages were removed to fit the context]' },
    ]);
    expect(JSON.stringify(out.messages[1])).toContain('"t4"');
    expect(JSON.stringify(out.messages[2])).toContain('"tool_use_id":"t4"');
  });
  it('trims to a token target, never the newest exchange', () => {
    const body = loop(10, { thinking: undefined });
    const out = run(trimContext({ targetTokens: 1 }), body).body;
    expect(out.messages.length).toBe(3);
    expect(JSON.stringify(out.messages[2])).toContain('"tool_use_id":"t10"');
  });
});

describe('dropThinking / removeTools / contextManagement', () => {
  it('dropThinking removes every thinking block, and thinking for an open loop', () => {
    const out = run(dropThinking(), loop(2)).body;
    expect(JSON.stringify(out)).not.toContain('"signature"');
    expect(out.thinking).toBeUndefined();
  });
  it('removeTools keeps a tool the history already called', () => {
    const out = run(removeTools({ names: ['bash', 'web'] }), loop(1)).body;
    expect(out.tools).toEqual([{ name: 'bash' }]);
  });
  it('contextManagement adds the edits and merges the beta header', () => {
    const out = run(contextManagement({ clearToolUses: { keep: 3 }, clearThinking: { keepTurns: 1 } }), loop(1), {
      'anthropic-beta': 'a,b',
    });
    expect(out.body.context_management).toEqual({
      edits: [
        { type: 'clear_thinking_20251015', keep: { type: 'thinking_turns', value: 1 } },
        { type: 'clear_tool_uses_20250919', keep: { type: 'tool_uses', value: 3 } },
      ],
    });
    expect(out.headers['anthropic-beta']).toBe('a,b,context-management-2025-06-27');
  });
});
