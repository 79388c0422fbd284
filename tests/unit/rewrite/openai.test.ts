/**
 * The actions on OpenAI requests (Chat Completions and Responses): model, output cap and cut tool outputs
 * change; the structure — items, roles, tool call ids — never does. Property-checked over generated tool
 * loops; a hook that breaks the pairing is refused by the check.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  capOutputOpenAI,
  setModelOpenAI,
  truncateOpenAI,
  type OpenAIAction,
  type OpenAIEndpoint,
} from '../../../src/policy/rewrite/actions/openai.js';
import { compileRules } from '../../../src/policy/rewrite/engine.js';
import { RulesFile } from '../../../src/policy/rewrite/rules-schema.js';
import type { AnthropicBody, RewriteTarget } from '../../../src/policy/rewrite/types.js';
import { checkOpenAIRewrite } from '../../../src/policy/rewrite/validity-openai.js';
import { deepFreeze } from './conversations.js';

type Json = Record<string, unknown>;

/** A chat tool loop: system, user, then turns of assistant tool_calls answered by tool messages. */
const chatRequest: fc.Arbitrary<Json> = fc
  .record({
    turns: fc.array(
      fc.record({
        calls: fc.integer({ min: 1, max: 3 }),
        output: fc.string({ minLength: 0, maxLength: 3000 }),
        parts: fc.boolean(),
      }),
      { maxLength: 5 },
    ),
    limit: fc.constantFrom(undefined, 'max_tokens', 'max_completion_tokens'),
    user: fc.oneof(
      fc.string({ maxLength: 2000 }),
      fc.array(fc.string({ maxLength: 800 }), { minLength: 1, maxLength: 3 }),
    ),
  })
  .map(({ turns, limit, user }) => {
    const messages: Json[] = [
      { role: 'system', content: 'You are careful.' },
      { role: 'user', content: typeof user === 'string' ? user : user.map((text) => ({ type: 'text', text })) },
    ];
    turns.forEach((turn, t) => {
      const ids = Array.from({ length: turn.calls }, (_, c) => `call_${t}_${c}`);
      messages.push({
        role: 'assistant',
        content: null,
        tool_calls: ids.map((id) => ({ id, type: 'function', function: { name: 'read', arguments: '{}' } })),
      });
      for (const id of ids)
        messages.push({
          role: 'tool',
          tool_call_id: id,
          content: turn.parts ? [{ type: 'text', text: turn.output }] : turn.output,
        });
    });
    return { model: 'gpt-4.1', messages, ...(limit ? { [limit]: 4000 } : {}) };
  });

/** The same loop in the Responses API's shape. */
const responsesRequest: fc.Arbitrary<Json> = fc
  .array(fc.record({ output: fc.string({ maxLength: 3000 }) }), { maxLength: 5 })
  .map((turns) => {
    const input: Json[] = [{ role: 'user', content: [{ type: 'input_text', text: 'Look around.' }] }];
    turns.forEach((turn, t) => {
      input.push({ type: 'function_call', call_id: `fc_${t}`, name: 'read', arguments: '{}' });
      input.push({ type: 'function_call_output', call_id: `fc_${t}`, output: turn.output });
    });
    return { model: 'gpt-5', input, max_output_tokens: 9000 };
  });

const action: fc.Arbitrary<OpenAIAction> = fc.oneof(
  fc.constantFrom('gpt-4.1-nano', 'gpt-5-mini').map((to) => setModelOpenAI({ to })),
  fc.integer({ min: 1, max: 20000 }).map((max) => capOutputOpenAI({ max })),
  fc
    .record({ maxChars: fc.integer({ min: 10, max: 2000 }), text: fc.boolean() })
    .map((o) => truncateOpenAI({ maxChars: o.maxChars, blocks: o.text ? ['tool_result', 'text'] : ['tool_result'] })),
);

const shape = (items: unknown) =>
  (items as Json[]).map((i) => [
    i.role,
    i.type,
    i.tool_call_id,
    i.call_id,
    (i.tool_calls as Json[] | undefined)?.map((c) => c.id),
  ]);

describe('OpenAI actions keep requests valid', () => {
  it.each([
    ['openai.chat', chatRequest, 'messages'],
    ['openai.responses', responsesRequest, 'input'],
  ] as const)(
    '%s: any sequence of actions passes the check, keeps the structure, and never touches the input',
    (endpoint, requests, key) => {
      let changed = 0;
      fc.assert(
        fc.property(requests, fc.array(action, { minLength: 1, maxLength: 3 }), (body, actions) => {
          expect(checkOpenAIRewrite(endpoint as OpenAIEndpoint, body)).toEqual([]); // the generator makes valid requests
          const frozen = deepFreeze(structuredClone(body));
          const out = actions.reduce<RewriteTarget>((t, a) => a(t, endpoint as OpenAIEndpoint), {
            body: frozen as AnthropicBody,
            headers: {},
          });
          expect(checkOpenAIRewrite(endpoint as OpenAIEndpoint, out.body)).toEqual([]);
          expect(shape(out.body[key])).toEqual(shape(body[key]));
          if (out.body !== frozen) changed++;
        }),
        { numRuns: 300 },
      );
      expect(changed).toBeGreaterThan(100); // the property saw real rewrites
    },
  );

  it('caps the limit the request has, or sets one; cuts tool outputs in either shape', () => {
    const t = (body: Json): RewriteTarget => ({ body: body as AnthropicBody, headers: {} });
    expect(
      capOutputOpenAI({ max: 500 })(t({ model: 'm', messages: [], max_tokens: 4000 }), 'openai.chat').body,
    ).toMatchObject({ max_tokens: 500 });
    expect(capOutputOpenAI({ max: 500 })(t({ model: 'm', messages: [] }), 'openai.chat').body).toMatchObject({
      max_completion_tokens: 500,
    });
    expect(
      capOutputOpenAI({ max: 500 })(t({ model: 'm', input: 'hi', max_output_tokens: 100 }), 'openai.responses').body,
    ).toEqual({ model: 'm', input: 'hi', max_output_tokens: 100 });
    const cut = truncateOpenAI({ maxChars: 100 })(
      t({
        model: 'm',
        input: [
          { type: 'function_call', call_id: 'a' },
          { type: 'function_call_output', call_id: 'a', output: 'x'.repeat(1000) },
        ],
      }),
      'openai.responses',
    );
    expect(JSON.stringify(cut.body)).toMatch(/\[agenttap: 900 characters cut\]/);
  });

  it('the engine refuses a hook that breaks the pairing, and says where', () => {
    const engine = compileRules(
      RulesFile.parse({
        rules: [
          {
            id: 'drop-calls',
            actions: [
              {
                type: 'hook',
                fn: (b: { messages: Json[] }) => ({ ...b, messages: b.messages.filter((m) => !m.tool_calls) }),
              },
            ],
          },
        ],
      }),
    );
    const body = fc.sample(
      chatRequest.filter((b) => (b.messages as Json[]).length > 2),
      { numRuns: 1, seed: 7 },
    )[0]!;
    const decision = engine({ provider: 'openai', endpoint: 'openai.chat', headers: {}, body });
    expect(decision.rewritten).toBeUndefined();
    expect(decision.rejected![0]).toMatch(
      /^messages\.2: a tool output for "call_0_0", which no earlier tool call made$/,
    );
  });
});
