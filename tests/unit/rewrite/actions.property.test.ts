/**
 * Every action, with any options, on any agent-shaped request: the result passes the validity check, and
 * the input is never mutated. The strict mock then accepts a sample of rewritten requests over HTTP.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAnthropicRequest } from '../../../src/exchange/anthropic-validity.js';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import {
  capMaxTokens,
  contextManagement,
  dropThinking,
  removeTools,
  setModel,
  trimContext,
  truncateLarge,
} from '../../../src/policy/rewrite/actions/index.js';
import type { Action, AnthropicBody } from '../../../src/policy/rewrite/types.js';
import { checkRewrite } from '../../../src/policy/rewrite/validity.js';
import { agentRequest, deepFreeze } from './conversations.js';

const action: fc.Arbitrary<[string, Action]> = fc.oneof(
  fc
    .constantFrom('claude-haiku-4-5', 'claude-sonnet-5-5')
    .map((to) => [`setModel ${to}`, setModel({ to })] as [string, Action]),
  fc.integer({ min: 1, max: 40000 }).map((max) => [`capMaxTokens ${max}`, capMaxTokens({ max })] as [string, Action]),
  fc
    .record({
      maxChars: fc.integer({ min: 10, max: 5000 }),
      headShare: fc.double({ min: 0, max: 1, noNaN: true }),
      text: fc.boolean(),
    })
    .map(
      (o) =>
        [
          `truncate ${JSON.stringify(o)}`,
          truncateLarge({
            maxChars: o.maxChars,
            headShare: o.headShare,
            blocks: o.text ? ['tool_result', 'text'] : ['tool_result'],
          }),
        ] as [string, Action],
    ),
  fc.constant(['dropThinking', dropThinking()] as [string, Action]),
  fc
    .oneof(
      fc.record({ targetTokens: fc.integer({ min: 10, max: 20000 }) }),
      fc.record({ keepExchanges: fc.integer({ min: 0, max: 6 }) }),
    )
    .map((o) => [`trimContext ${JSON.stringify(o)}`, trimContext(o)] as [string, Action]),
  fc
    .subarray(['read_file', 'bash', 'edit_file', 'search'])
    .map((names) => [`removeTools ${names}`, removeTools({ names })] as [string, Action]),
  fc.record({ keep: fc.integer({ min: 0, max: 5 }), thinking: fc.boolean() }).map(
    (o) =>
      [
        `contextManagement`,
        contextManagement({
          clearToolUses: { keep: o.keep },
          ...(o.thinking ? { clearThinking: { keepTurns: 1 } } : {}),
        }),
      ] as [string, Action],
  ),
);

const apply = (body: AnthropicBody, actions: [string, Action][]) =>
  actions.reduce((t, [, a]) => a(t), {
    body,
    headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } as Record<string, string>,
  });

describe('rewrite actions keep requests valid', () => {
  it('the generator makes valid requests (else the next property proves nothing)', () => {
    fc.assert(
      fc.property(agentRequest, (body) => {
        expect(validateAnthropicRequest(body)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('any sequence of actions gives a request that passes the check, without touching the input', () => {
    let changed = 0;
    let trimmed = 0;
    fc.assert(
      fc.property(agentRequest, fc.array(action, { minLength: 1, maxLength: 4 }), (body, actions) => {
        const frozen = deepFreeze(structuredClone(body));
        const out = apply(frozen, actions);
        expect(checkRewrite(frozen, out.body), actions.map(([n]) => n).join(' → ')).toEqual([]);
        expect(frozen).toEqual(body);
        if (out.body !== frozen) changed++;
        if (out.body.messages.length < frozen.messages.length) trimmed++;
      }),
      { numRuns: 500 },
    );
    // The property saw real rewrites, not a run of no-ops.
    expect(changed).toBeGreaterThan(250);
    expect(trimmed).toBeGreaterThan(20);
  });

  it('the check is not blind: it catches what a careless rewrite does', () => {
    fc.assert(
      fc.property(
        agentRequest.filter((b) => b.messages.length >= 5),
        (body) => {
          // "drop the oldest N messages", as LiteLLM and LangChain did
          const careless = { ...body, messages: [body.messages[0]!, ...body.messages.slice(2)] };
          expect(checkRewrite(body, careless).length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 100 },
    );
    const thinkingBody = fc.sample(
      agentRequest.filter((b) => b.thinking !== undefined && b.messages.length >= 3),
      1,
    )[0]!;
    expect(checkRewrite(thinkingBody, { ...thinkingBody, model: 'claude-haiku-4-5' })).toContainEqual(
      expect.stringMatching(/signed by/),
    );
  });
});

describe('the strict mock accepts rewritten requests', () => {
  let mock: MockServer;
  beforeAll(async () => (mock = await startMock({ strict: true })));
  afterAll(() => mock.close());

  it('a sample of 40 rewritten requests are all answered 200', async () => {
    const samples = fc.sample(fc.tuple(agentRequest, fc.array(action, { minLength: 1, maxLength: 3 })), {
      numRuns: 40,
      seed: 42,
    });
    const statuses: number[] = [];
    for (const [body, actions] of samples) {
      const out = apply(body, actions).body;
      const res = await fetch(`${mock.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...out, stream: false }),
      });
      statuses.push(res.status);
      await res.text();
    }
    expect(statuses).toEqual(Array(40).fill(200));
    expect(mock.received.length).toBe(40);
  });
});
