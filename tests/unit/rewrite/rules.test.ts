import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentTapError } from '../../../src/errors.js';
import { compileRules } from '../../../src/policy/rewrite/engine.js';
import type { RequestView } from '../../../src/policy/rewrite/match.js';
import { loadRules } from '../../../src/policy/rewrite/rules-load.js';
import { RulesFile } from '../../../src/policy/rewrite/rules-schema.js';
import { scratch } from '../../helpers/run.js';

function file(name: string, text: string): string {
  const path = join(scratch('agenttap-rules-'), name);
  writeFileSync(path, text);
  return path;
}

async function problem(path: string): Promise<string> {
  try {
    await loadRules(path);
  } catch (err) {
    expect(err).toBeInstanceOf(AgentTapError);
    expect((err as AgentTapError).code).toBe('AGENTTAP_RULES_INVALID');
    return (err as Error).message;
  }
  throw new Error('expected the rules to be refused');
}

const rules = (list: unknown[]) => JSON.stringify({ rules: list });
const swap = { type: 'setModel', to: 'claude-haiku-4-5' };

describe('loading a rules file', () => {
  it('reads JSON and ES modules alike', async () => {
    const json = await loadRules(file('r.json', rules([{ id: 'a', actions: [swap] }])));
    const mjs = await loadRules(file('r.mjs', `export default ${rules([{ id: 'a', actions: [swap] }])};`));
    const yaml = await loadRules(
      file('r.yaml', 'rules:\n  - id: a\n    actions:\n      - type: setModel\n        to: claude-haiku-4-5\n'),
    );
    expect(json).toEqual(mjs);
    expect(yaml).toEqual(json);
    expect(json.rules[0]).toEqual({ id: 'a', match: {}, actions: [swap], stop: false });
  });

  it('names the file, the rule, the field and the fix', async () => {
    const path = file(
      'r.json',
      rules([
        { id: 'ok', actions: [swap] },
        { id: 'cap-utility', actions: [{ type: 'capMaxTokens', max: 'lots' }] },
      ]),
    );
    expect(await problem(path)).toContain(
      `${path}: rule "cap-utility" (rules[1]), field "actions[0].max": Invalid input: expected number, received string.`,
    );
    expect(await problem(file('r.json', rules([{ id: 'x', actions: [swap], mach: {} }])))).toMatch(
      /rule "x" \(rules\[0\]\), field "\(the rule\)".*Fix: remove "mach"/,
    );
    expect(await problem(file('r.json', rules([{ id: 'x', actions: [{ type: 'shrink' }] }])))).toMatch(
      /field "actions\[0\]\.type".*Fix: "type" is one of setModel/,
    );
    expect(
      await problem(
        file(
          'r.json',
          rules([
            { id: 'x', actions: [swap] },
            { id: 'x', actions: [swap] },
          ]),
        ),
      ),
    ).toContain('duplicate rule id "x"');
    expect(await problem(file('r.json', '{ "rules": ['))).toMatch(/r\.json: not valid JSON/);
    expect(await problem(file('r.yml', 'rules:\n  - id: a\n   actions: [\n'))).toMatch(
      /r\.yml: not valid YAML \(.*line \d+/,
    );
    expect(
      await problem(file('r.yaml', 'rules:\n  - id: a\n    actions:\n      - type: capMaxTokens\n        max: lots\n')),
    ).toContain('rule "a" (rules[0]), field "actions[0].max"');
    expect(await problem('/nonexistent/rules.json')).toMatch(
      /rules\.json: cannot be read \(ENOENT\)\. Fix: check the path/,
    );
  });

  it('names the flag the path came from when the caller knows it', async () => {
    await expect(loadRules('/nonexistent/rules.json', '/', '--rules')).rejects.toThrow(
      /cannot be read \(ENOENT\)\. Fix: check the path given to --rules\.$/,
    );
  });

  it('compiles and lints a model regex at load, so a bad one stops the run instead of turning capture off (issue 16)', async () => {
    const model = (m: unknown, id = 'm') => file('r.json', rules([{ id, match: { model: m }, actions: [swap] }]));
    const path = model({ regex: 'claude-(' }, 'broken');
    expect(await problem(path)).toContain(
      `${path}: rule "broken" (rules[0]), field "match.model.regex": not a valid JavaScript regular expression (/claude-(/: Unterminated group). Fix: `,
    );
    expect(await problem(model({ regex: '^([a-z0-9-]+)+$' }))).toMatch(
      /field "match\.model\.regex": can backtrack exponentially: .*Fix: /,
    );
    expect(await problem(model({ regex: '^claude', flags: 'g' }))).toMatch(
      /field "match\.model\.flags": "g" keeps lastIndex/,
    );
    const yaml = file(
      'r.yaml',
      'rules:\n  - id: y\n    match:\n      model: { regex: "(a+)+$" }\n    actions:\n      - type: capMaxTokens\n        max: 5\n',
    );
    expect(await problem(yaml)).toContain(
      'rule "y" (rules[0]), field "match.model.regex": can backtrack exponentially',
    );
  });

  it('a model regex takes flags, and a glob stays a glob', async () => {
    const loaded = await loadRules(
      file(
        'r.json',
        rules([
          {
            id: 'i',
            match: { model: { regex: '^CLAUDE-OPUS', flags: 'i' } },
            actions: [{ type: 'capMaxTokens', max: 100 }],
          },
        ]),
      ),
    );
    const decide = compileRules(loaded);
    // Twice: a stateful (g/y) regex would answer differently the second time.
    expect(decide(request())?.rewritten?.body.max_tokens).toBe(100);
    expect(decide(request())?.rewritten?.body.max_tokens).toBe(100);
  });
});

const request = (over: Partial<RequestView> = {}, body: Record<string, unknown> = {}): RequestView => ({
  provider: 'anthropic',
  endpoint: 'anthropic.messages',
  headers: { 'user-agent': 'claude-cli/2.1.112' },
  body: {
    model: 'claude-opus-4-6',
    max_tokens: 32000,
    messages: [{ role: 'user', content: 'hi '.repeat(400) }],
    ...body,
  },
  ...over,
});

describe('the rules engine', () => {
  const engine = compileRules(
    RulesFile.parse({
      rules: [
        { id: 'titles', match: { mechanism: 'claude-code.session-title' }, actions: [swap], stop: true },
        {
          id: 'cap-opus',
          match: { model: 'claude-opus-*', headers: { 'user-agent': 'claude-cli/*' } },
          actions: [{ type: 'capMaxTokens', max: 4096 }],
        },
        { id: 'big', match: { inputTokens: { min: 100000 } }, actions: [{ type: 'truncate', maxChars: 200 }] },
      ],
    }),
  );

  it('applies matching rules in order, and stops when a rule says so', () => {
    const title = engine(request({ mechanism: 'claude-code.session-title' }));
    expect(title.applied).toEqual([{ rule: 'titles', actions: ['setModel'] }]);
    expect(title.rewritten?.body.model).toBe('claude-haiku-4-5');
    expect(title.rewritten?.body.max_tokens).toBe(32000); // cap-opus did not run after stop
    const main = engine(request({ mechanism: 'claude-code.main-loop' }));
    expect(main.applied.map((a) => a.rule)).toEqual(['cap-opus']);
    expect(main.change).toMatchObject({ max_tokens: [32000, 4096] });
  });

  it('uses the known input tokens, and scales them by how much the rewrite shrank the request', () => {
    const body = {
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'bash', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'z'.repeat(20000) }] },
      ],
    };
    expect(engine(request({ knownInputTokens: 50000 }, body)).applied.map((a) => a.rule)).toEqual(['cap-opus']);
    const big = engine(request({ knownInputTokens: 150000 }, body));
    expect(big.applied.map((a) => a.rule)).toEqual(['cap-opus', 'big']);
    expect(big.tokens![0]).toBe(150000);
    expect(big.tokens![1]).toBeLessThan(5000);
  });

  it('never sends an invalid result, and says why', () => {
    const invalid = engine(
      request(
        { mechanism: 'claude-code.session-title' },
        { max_tokens: 1000, thinking: { type: 'enabled', budget_tokens: 2000 } },
      ),
    );
    expect(invalid.rewritten).toBeUndefined();
    expect(invalid.rejected).toEqual([
      expect.stringContaining('max_tokens must be greater than thinking.budget_tokens'),
    ]);
  });

  it('does not rewrite what its actions do not understand', () => {
    const trim = compileRules(
      RulesFile.parse({ rules: [{ id: 'trim', actions: [{ type: 'trimContext', keepExchanges: 2 }] }] }),
    );
    const openai = trim(request({ provider: 'openai', endpoint: 'openai.chat' }));
    expect(openai.rewritten).toBeUndefined();
    expect(openai.rejected).toEqual([
      'rule "trim": the trimContext action applies to Anthropic Messages requests, not openai.chat',
    ]);
    const counting = engine(request({ endpoint: 'anthropic.count_tokens' }));
    expect(counting.rejected).toEqual([
      'rule "cap-opus": the capMaxTokens action applies to Anthropic Messages and OpenAI chat/responses requests, not anthropic.count_tokens',
    ]);
    expect(engine(request({ headers: {} }, { model: 'claude-haiku-4-5' }))).toEqual({ applied: [] });
  });
});
