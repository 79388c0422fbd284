/**
 * The custom hook action: a user's function of the request, bounded in time. Whatever the hook does — throw,
 * loop, return a Promise or a broken request — the engine sends the original and says why.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentTapError } from '../../../src/errors.js';
import { compileRules } from '../../../src/policy/rewrite/engine.js';
import type { RequestView } from '../../../src/policy/rewrite/match.js';
import { loadRules } from '../../../src/policy/rewrite/rules-load.js';
import { RulesFile } from '../../../src/policy/rewrite/rules-schema.js';
import type { AnthropicBody } from '../../../src/policy/rewrite/types.js';
import { scratch } from '../../helpers/run.js';

const request = (): RequestView => ({
  provider: 'anthropic',
  endpoint: 'anthropic.messages',
  mechanism: 'claude-code.sub-agent',
  headers: { 'user-agent': 'claude-cli/2.1.112', 'x-api-key': 'sk-ant-test' },
  body: {
    model: 'claude-opus-4-6',
    max_tokens: 8000,
    messages: [
      { role: 'user', content: 'Read it.' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'tu_1', name: 'read', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_1', content: 'x'.repeat(5000) }] },
    ],
  },
});

const engineWith = (fn: unknown, extra: Record<string, unknown> = {}) =>
  compileRules(RulesFile.parse({ rules: [{ id: 'custom', actions: [{ type: 'hook', fn, ...extra }] }] }));

describe('the hook action', () => {
  it('sends what the hook returns, sees the mechanism and headers, and never changes the agent’s objects', () => {
    const seen: unknown[] = [];
    const engine = engineWith((body: AnthropicBody, ctx: { mechanism?: string; headers: Record<string, string> }) => {
      seen.push(ctx.mechanism, ctx.headers['user-agent'], Object.isFrozen(ctx.headers));
      body.max_tokens = 1234; // in place: the hook has its own copy
      body.messages[2]!.content = [{ type: 'tool_result', tool_use_id: 'tu_1', content: 'short' }];
      return body;
    });
    const original = request();
    const before = structuredClone(original.body);
    const decision = engine(original);
    expect(seen).toEqual(['claude-code.sub-agent', 'claude-cli/2.1.112', true]);
    expect(original.body).toEqual(before);
    expect(decision.rejected).toBeUndefined();
    expect(decision.rewritten!.body).toMatchObject({
      max_tokens: 1234,
      messages: [{}, {}, { content: [{ content: 'short' }] }],
    });
    expect(decision.change).toMatchObject({ max_tokens: [8000, 1234] });
    expect(decision.tokens![1]).toBeLessThan(decision.tokens![0]);
  });

  it('no change when the hook returns nothing', () => {
    expect(engineWith(() => undefined)(request())).toEqual({ applied: [{ rule: 'custom', actions: ['hook'] }] });
  });

  it('what the hook keeps a reference to cannot change the request after it returned', () => {
    let kept: AnthropicBody | undefined;
    const decision = engineWith((body: AnthropicBody) => {
      kept = body;
      return { ...body, max_tokens: 100 };
    })(request());
    kept!.model = 'changed-later';
    expect(decision.rewritten!.body.model).toBe('claude-opus-4-6');
  });

  it.each([
    [
      'throws',
      () => {
        throw new TypeError('boom');
      },
      /rule "custom": hook \S+ threw: TypeError: boom/,
    ],
    ['returns a Promise', async (b: unknown) => b, /returned a Promise; hooks run synchronously/],
    ['returns a non-request', () => ({ hello: 1 }), /returned something that is not a request body/],
    [
      'returns an invalid request',
      (b: AnthropicBody) => ({ ...b, messages: b.messages.slice(2) }),
      /tool_result|first message/,
    ],
    [
      'returns a cycle',
      (b: AnthropicBody & { self?: unknown }) => {
        b.self = b;
        return b;
      },
      /threw: TypeError: .*circular/i,
    ],
  ])('a hook that %s leaves the original untouched, and the decision says why', (_what, fn, reason) => {
    const decision = engineWith(fn)(request());
    expect(decision.rewritten).toBeUndefined();
    expect(decision.rejected).toEqual([expect.stringMatching(reason)]);
  });

  it('a hook that never returns is stopped at its time limit', () => {
    const started = performance.now();
    const decision = engineWith(
      function spin() {
        for (;;) {}
      },
      { timeoutMs: 50 },
    )(request());
    const took = performance.now() - started;
    expect(decision.rewritten).toBeUndefined();
    expect(decision.rejected).toEqual(['rule "custom": hook spin ran past its 50 ms limit']);
    expect(took).toBeGreaterThanOrEqual(45);
    expect(took).toBeLessThan(5000);
    // and the engine still works afterwards
    expect(engineWith((b: AnthropicBody) => ({ ...b, max_tokens: 99 }))(request()).rewritten!.body.max_tokens).toBe(99);
  });

  it('a failing rule spoils the whole rewrite: an earlier rule’s change is not sent alone', () => {
    const engine = compileRules(
      RulesFile.parse({
        rules: [
          { id: 'swap', actions: [{ type: 'setModel', to: 'claude-haiku-4-5' }] },
          {
            id: 'broken',
            actions: [
              {
                type: 'hook',
                fn: () => {
                  throw new Error('nope');
                },
              },
            ],
          },
        ],
      }),
    );
    const decision = engine(request());
    expect(decision.applied.map((a) => a.rule)).toEqual(['swap', 'broken']);
    expect(decision.rewritten).toBeUndefined();
    expect(decision.rejected).toEqual([expect.stringContaining('rule "broken"')]);
  });
});

describe('hooks in a rules file', () => {
  const dir = () => scratch('agenttap-hooks-');

  it('an .mjs rules file holds the function; a JSON file names a module beside it', async () => {
    const d = dir();
    writeFileSync(
      join(d, 'cap.mjs'),
      'export function cap(body) { return { ...body, max_tokens: 321 }; }\nexport default () => undefined;\n',
    );
    writeFileSync(
      join(d, 'rules.json'),
      JSON.stringify({
        rules: [{ id: 'cap', actions: [{ type: 'hook', module: './cap.mjs', export: 'cap', timeoutMs: 20 }] }],
      }),
    );
    writeFileSync(
      join(d, 'rules.mjs'),
      "export default { rules: [{ id: 'cap', actions: [{ type: 'hook', fn: (b) => ({ ...b, max_tokens: 321 }) }] }] };\n",
    );
    for (const name of ['rules.json', 'rules.mjs']) {
      const decision = compileRules(await loadRules(join(d, name)))(request());
      expect(decision.rewritten!.body.max_tokens, name).toBe(321);
    }
  });

  it.each([
    [{ type: 'hook' }, /field "actions\[0\]": give exactly one of "fn"/],
    [
      { type: 'hook', module: './missing.mjs' },
      /rule "h" \(rules\[0\]\), field "actions\[0\]\.module": cannot import \.\/missing\.mjs/,
    ],
    [
      { type: 'hook', module: './cap.mjs', export: 'nothere' },
      /field "actions\[0\]\.module": \.\/cap\.mjs has no function export "nothere"/,
    ],
    [{ type: 'hook', module: './cap.mjs', timeoutMs: 0 }, /field "actions\[0\]\.timeoutMs"/],
  ])('a bad hook stops the run, naming the rule and the field: %j', async (action, message) => {
    const d = dir();
    writeFileSync(join(d, 'cap.mjs'), 'export default (b) => b;\n');
    writeFileSync(join(d, 'rules.json'), JSON.stringify({ rules: [{ id: 'h', actions: [action] }] }));
    const error = await loadRules(join(d, 'rules.json')).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(AgentTapError);
    expect((error as Error).message).toMatch(message);
  });
});
