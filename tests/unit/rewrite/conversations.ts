/**
 * fast-check arbitraries for Anthropic requests shaped like an agent's: tool round-trips, thinking with
 * signatures, system reminders, big tool outputs and up to four cache_control breakpoints. Every generated
 * request is valid (a property checks it), so anything invalid after a rewrite is the rewrite's fault.
 */
import fc from 'fast-check';
import type { AnthropicBody, Block, Message } from '../../../src/policy/rewrite/types.js';

const TOOLS = ['read_file', 'bash', 'edit_file', 'search'];

const prose = fc.string({ minLength: 1, maxLength: 120 });
const output = fc.oneof(
  { weight: 3, arbitrary: prose },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 3000, max: 20000 })
      .map((n) => 'line of tool output 🙂\n'.repeat(Math.ceil(n / 22)).slice(0, n)),
  },
);

const exchange = fc.record({
  text: fc.option(prose, { nil: undefined }),
  tools: fc.array(fc.record({ name: fc.constantFrom(...TOOLS), result: output, asBlocks: fc.boolean() }), {
    maxLength: 3,
  }),
  reminder: fc.option(
    prose.map((t) => `<system-reminder>${t}</system-reminder>`),
    { nil: undefined },
  ),
  followUp: prose,
});

export const agentRequest = fc
  .record({
    exchanges: fc.array(exchange, { maxLength: 8 }),
    thinking: fc.boolean(),
    budget: fc.integer({ min: 1024, max: 8000 }),
    extraTokens: fc.integer({ min: 1, max: 30000 }),
    systemBlocks: fc.boolean(),
    cacheMarks: fc.array(fc.nat(), { maxLength: 4 }),
    model: fc.constantFrom('claude-sonnet-5-5', 'claude-opus-4-6'),
  })
  .map((g): AnthropicBody => {
    let id = 0;
    const messages: Message[] = [{ role: 'user', content: [{ type: 'text', text: 'Please fix the failing build.' }] }];
    for (const x of g.exchanges) {
      const assistant: Block[] = [];
      if (g.thinking) assistant.push({ type: 'thinking', thinking: 'let me think', signature: `sig-${g.model}-${id}` });
      if (x.text) assistant.push({ type: 'text', text: x.text });
      const uses = x.tools.map((t) => ({
        type: 'tool_use',
        id: `toolu_${++id}`,
        name: t.name,
        input: { path: `f${id}` },
      }));
      assistant.push(...uses);
      if (assistant.length === 0 || (g.thinking && assistant.length === 1))
        assistant.push({ type: 'text', text: 'ok' });
      messages.push({ role: 'assistant', content: assistant });
      const reply: Block[] = uses.map((u, k) => {
        const result = x.tools[k]!.result;
        return {
          type: 'tool_result',
          tool_use_id: u.id,
          content: x.tools[k]!.asBlocks ? [{ type: 'text', text: result }] : result,
        };
      });
      if (x.reminder) reply.push({ type: 'text', text: x.reminder });
      if (uses.length === 0) reply.push({ type: 'text', text: x.followUp });
      messages.push({ role: 'user', content: reply });
    }
    const system = g.systemBlocks
      ? [
          { type: 'text', text: 'You are an agent.' },
          { type: 'text', text: 'Be careful.' },
        ]
      : 'You are an agent.';
    const body: AnthropicBody = {
      model: g.model,
      max_tokens: g.thinking ? g.budget + g.extraTokens : g.extraTokens,
      system,
      tools: TOOLS.map((name) => ({
        name,
        description: `${name} tool`,
        input_schema: { type: 'object', properties: {} },
      })),
      messages,
      stream: true,
      ...(g.thinking ? { thinking: { type: 'enabled', budget_tokens: g.budget } } : {}),
    };
    markCache(body, g.cacheMarks);
    return body;
  });

/** Puts cache_control on up to four distinct blocks chosen by `picks`. */
function markCache(body: AnthropicBody, picks: number[]): void {
  const candidates: Record<string, unknown>[] = [];
  if (Array.isArray(body.system)) candidates.push(...body.system);
  candidates.push(...body.tools!);
  for (const m of body.messages)
    if (Array.isArray(m.content))
      candidates.push(...m.content.filter((b) => b.type === 'text' || b.type === 'tool_result'));
  const chosen = new Set(picks.map((p) => p % candidates.length));
  for (const i of chosen) candidates[i]!.cache_control = { type: 'ephemeral' };
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
