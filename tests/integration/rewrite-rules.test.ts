/**
 * Rules at run time (issue 5): rewritten requests are valid (the strict mock accepts them) and the agent
 * finishes its task; each decision is logged with what changed and what it saved; a dry run sends the
 * agent's bytes unchanged; an invalid result is never sent; a bad rules file stops the run first.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { eventsOf, ROOT, runNode, scratch, sessionEvents, spawnBounded } from '../helpers/run.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock({
    strict: true,
    script: [{ toolUse: { name: 'read_file', input: { path: 'README.md' } } }, { text: 'It is agenttap.' }],
  });
});
afterAll(() => mock.close());

const env = (extra: Record<string, string> = {}) => ({
  ANTHROPIC_BASE_URL: mock.url,
  ANTHROPIC_API_KEY: 'sk-ant-test',
  ...extra,
});
const RULES = join(ROOT, 'examples/rules/generic-sdk.json');

describe('rewrite rules', () => {
  it('the example rules rewrite the example agent, which still finishes; the log shows each decision and its saving', async () => {
    mock.reset();
    const run = await runNode(join(ROOT, 'examples/anthropic-agent.mjs'), {
      args: ['What is this project?'],
      env: env({ AGENTTAP_RULES: RULES }),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('It is agenttap.');
    expect(
      mock.received.map((r) => [
        r.status,
        (r.body as { model: string }).model,
        (r.body as { max_tokens: number }).max_tokens,
      ]),
    ).toEqual([
      [200, 'claude-haiku-4-5', 512],
      [200, 'claude-haiku-4-5', 512],
    ]);
    const toolResult = JSON.stringify((mock.received[1]!.body as { messages: unknown[] }).messages[2]);
    expect(toolResult).toMatch(/\[agenttap: \d+ characters cut\]/);

    const events = await sessionEvents(run.sessionDir);
    const decisions = eventsOf(events, 'rewrite.applied');
    const requests = eventsOf(events, 'exchange.request');
    expect(decisions.map((d) => d.exchange)).toEqual(requests.map((r) => r.exchange));
    expect(decisions.map((d) => d.rules.map((r) => r.rule))).toEqual([
      ['agent-loop-to-haiku', 'shorten-tool-output'],
      ['agent-loop-to-haiku', 'shorten-tool-output'],
    ]);
    expect(decisions.every((d) => d.sent && !d.dry_run)).toBe(true);
    expect(decisions[0]!.change).toMatchObject({
      model: ['claude-sonnet-5-5', 'claude-haiku-4-5'],
      max_tokens: [1024, 512],
    });
    // The second request's README was cut: fewer tokens, and Haiku is cheaper than Sonnet.
    expect(decisions[1]!.tokens!.after).toBeLessThan(decisions[1]!.tokens!.before);
    expect(decisions[1]!.cost!.after).toBeLessThan(decisions[1]!.cost!.before);
    // The log records what went out.
    expect(requests.map((r) => r['gen_ai.request.model'])).toEqual(['claude-haiku-4-5', 'claude-haiku-4-5']);
  });

  it('an OpenAI agent: model, output cap and tool outputs rewritten, the agent still finishes, each saving logged', async () => {
    mock.reset();
    const rules = join(scratch(), 'rules.yaml');
    writeFileSync(
      rules,
      [
        'rules:',
        '  - id: openai-to-nano',
        '    match: { provider: openai, model: "gpt-4.1*" }',
        '    actions:',
        '      - { type: setModel, to: gpt-4.1-nano }',
        '      - { type: capMaxTokens, max: 256 }',
        '      - { type: truncate, maxChars: 300 }',
        '',
      ].join('\n'),
    );
    const run = await runNode(join(ROOT, 'examples/openai-agent.mjs'), {
      args: ['What is this project?'],
      env: { OPENAI_BASE_URL: `${mock.url}/v1`, OPENAI_API_KEY: 'sk-test', AGENTTAP_RULES: rules },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('It is agenttap.');
    const bodies = mock.received.map(
      (r) =>
        r.body as { model: string; max_completion_tokens?: number; messages: { role: string; content: unknown }[] },
    );
    expect(bodies.map((b) => [b.model, b.max_completion_tokens])).toEqual([
      ['gpt-4.1-nano', 256],
      ['gpt-4.1-nano', 256],
    ]);
    const toolOutput = bodies[1]!.messages.find((m) => m.role === 'tool')!;
    expect(String(toolOutput.content)).toMatch(/\[agenttap: \d+ characters cut\]/);

    const events = await sessionEvents(run.sessionDir);
    const decisions = eventsOf(events, 'rewrite.applied');
    expect(decisions.map((d) => d.exchange)).toEqual(eventsOf(events, 'exchange.request').map((r) => r.exchange));
    expect(decisions.every((d) => d.sent && d.tokens?.basis === 'size')).toBe(true);
    expect(decisions.every((d) => d.cost!.after < d.cost!.before)).toBe(true);
    expect(decisions[1]!.tokens!.after).toBeLessThan(decisions[1]!.tokens!.before);
  });

  it('a dry run sends the agent its own bytes and logs what it would have done', async () => {
    mock.reset();
    const out = join(scratch(), 'sent.ndjson');
    const run = await runNode(join(ROOT, 'tests/fixtures/apps/wire-recorder.mjs'), {
      env: env({ AGENTTAP_RULES: RULES, AGENTTAP_DRY_RUN: '1', AGENT_OUT: out }),
    });
    expect(run.code, run.stderr).toBe(0);
    const sent = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => Buffer.from(JSON.parse(l) as string, 'base64'));
    expect(mock.received.map((r) => r.rawBody)).toEqual(sent);
    const decisions = eventsOf(await sessionEvents(run.sessionDir), 'rewrite.applied');
    expect(decisions.length).toBe(2);
    expect(decisions.every((d) => d.dry_run && !d.sent)).toBe(true);
    expect(decisions[0]!.change).toMatchObject({ model: ['claude-sonnet-5-5', 'claude-haiku-4-5'] });
  });

  it('a result that fails the validity check is not sent: the original goes out and the log says why', async () => {
    const plain = await startMock(); // not strict: it must accept the agent's own (invalid) request
    try {
      const rules = join(scratch(), 'rules.json');
      writeFileSync(
        rules,
        JSON.stringify({ rules: [{ id: 'swap', actions: [{ type: 'setModel', to: 'claude-haiku-4-5' }] }] }),
      );
      const body = JSON.stringify({
        model: 'claude-opus-4-6',
        max_tokens: 100,
        thinking: { type: 'enabled', budget_tokens: 1000 },
        messages: [{ role: 'user', content: 'hi' }],
      });
      const app = join(scratch(), 'app.mjs');
      writeFileSync(
        app,
        `await fetch(process.env.ANTHROPIC_BASE_URL + '/v1/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(body)} }).then((r) => r.text());`,
      );
      const run = await runNode(app, { env: { ANTHROPIC_BASE_URL: plain.url, AGENTTAP_RULES: rules } });
      expect(run.code, run.stderr).toBe(0);
      expect(plain.received[0]!.rawBody.toString()).toBe(body);
      const [decision] = eventsOf(await sessionEvents(run.sessionDir), 'rewrite.applied');
      expect(decision).toMatchObject({ sent: false, rules: [{ rule: 'swap' }] });
      expect(decision!.rejected).toEqual([
        expect.stringContaining('max_tokens must be greater than thinking.budget_tokens'),
      ]);
    } finally {
      await plain.close();
    }
  });

  it('a rule whose hook throws or never returns leaves every request byte-identical and the agent unaffected', async () => {
    mock.reset();
    const rules = join(scratch(), 'rules.mjs');
    // A valid swap first: the hook's failure must spoil the whole rewrite, not leave the swap half-applied.
    writeFileSync(
      rules,
      `let calls = 0;
export default { rules: [
  { id: 'swap', actions: [{ type: 'setModel', to: 'claude-haiku-4-5' }] },
  { id: 'flaky', actions: [{ type: 'hook', timeoutMs: 40, fn: function flaky(body) {
    if (++calls % 2) throw new Error('rule bug');
    for (;;) {}
  } }] },
] };\n`,
    );
    const out = join(scratch(), 'sent.ndjson');
    const run = await runNode(join(ROOT, 'tests/fixtures/apps/wire-recorder.mjs'), {
      env: env({ AGENTTAP_RULES: rules, AGENT_OUT: out }),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const sent = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => Buffer.from(JSON.parse(l) as string, 'base64'));
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(mock.received.map((r) => r.rawBody)).toEqual(sent);
    expect(mock.received.every((r) => r.status === 200)).toBe(true);
    const decisions = eventsOf(await sessionEvents(run.sessionDir), 'rewrite.applied');
    expect(decisions.length).toBe(sent.length);
    expect(decisions.every((d) => !d.sent && !d.dry_run)).toBe(true);
    expect(decisions.map((d) => d.rejected)).toEqual(
      sent.map((_, i) => [
        i % 2 === 0
          ? 'rule "flaky": hook flaky threw: Error: rule bug'
          : 'rule "flaky": hook flaky ran past its 40 ms limit',
      ]),
    );
  });

  it('a bad rules file stops the run before the agent starts, naming the rule, the field and the problem', async () => {
    mock.reset();
    const rules = join(scratch(), 'rules.json');
    writeFileSync(rules, JSON.stringify({ rules: [{ id: 'cap', actions: [{ type: 'capMaxTokens', max: -5 }] }] }));
    const run = await runNode(join(ROOT, 'examples/anthropic-agent.mjs'), { env: env({ AGENTTAP_RULES: rules }) });
    expect(run.code).toBe(78);
    expect(run.stdout).toBe('');
    expect(mock.received.length).toBe(0);
    expect(run.stderr).toContain(
      `${rules}: rule "cap" (rules[0]), field "actions[0].max": Too small: expected number to be >0`,
    );
  });

  it('`agenttap run --rules … --dry-run` hands the rules to the agent; a bad rules file starts nothing', async () => {
    const agenttap = join(ROOT, 'bin/agenttap.js');
    mock.reset();
    const dir = scratch('agenttap-run-rules-');
    const dry = await spawnBounded(
      process.execPath,
      [
        agenttap,
        'run',
        '--dir',
        dir,
        '--session',
        's',
        '--rules',
        'examples/rules/generic-sdk.json',
        '--dry-run',
        '--quiet',
        '--',
        process.execPath,
        'examples/anthropic-agent.mjs',
      ],
      { env: { PATH: process.env.PATH, HOME: dir, ...env() } },
    );
    expect(dry.code, dry.stderr).toBe(0);
    expect(mock.received.every((r) => (r.body as { model: string }).model === 'claude-sonnet-5-5')).toBe(true);
    const decisions = eventsOf(await sessionEvents(join(dir, 's')), 'rewrite.applied');
    expect(decisions.length).toBe(mock.received.length);
    expect(decisions.every((d) => d.dry_run && !d.sent)).toBe(true);

    mock.reset();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ rules: [{ id: 'oops', actions: [{ type: 'setModel' }] }] }));
    const refused = await spawnBounded(
      process.execPath,
      [agenttap, 'run', '--dir', dir, '--rules', bad, '--', process.execPath, 'examples/anthropic-agent.mjs'],
      { env: { PATH: process.env.PATH, HOME: dir, ...env() } },
    );
    expect(refused.code).toBe(78);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`${bad}: rule "oops" (rules[0]), field "actions[0]": give "to" or "map".`);
    expect(mock.received.length).toBe(0);
  });

  it('`agenttap proxy --exec --rules` rewrites what an agent no loader enters sends, with the same checks and log', async () => {
    mock.reset();
    const dir = scratch('agenttap-proxy-rules-');
    const run = await spawnBounded(
      process.execPath,
      [
        join(ROOT, 'bin/agenttap.js'),
        'proxy',
        '--upstream',
        mock.url,
        '--dir',
        dir,
        '--session',
        'p',
        '--rules',
        RULES,
        '--quiet',
        '--exec',
        '--',
        process.execPath,
        'examples/anthropic-agent.mjs',
        'What is this project?',
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          ANTHROPIC_API_KEY: 'sk-ant-test',
          AGENTTAP_KEY_FILE: join(ROOT, 'tests/fixtures/redaction.key'),
        },
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('It is agenttap.');
    expect(mock.received.map((r) => [r.status, (r.body as { model: string }).model])).toEqual([
      [200, 'claude-haiku-4-5'],
      [200, 'claude-haiku-4-5'],
    ]);
    expect(JSON.stringify(mock.received[1]!.body)).toMatch(/\[agenttap: \d+ characters cut\]/);
    const events = await sessionEvents(join(dir, 'p'));
    const decisions = eventsOf(events, 'rewrite.applied');
    expect(decisions.map((d) => d.exchange)).toEqual(eventsOf(events, 'exchange.request').map((r) => r.exchange));
    expect(decisions.every((d) => d.sent)).toBe(true);
    expect(eventsOf(events, 'exchange.request').map((r) => [r.layer, r['gen_ai.request.model']])).toEqual([
      ['proxy', 'claude-haiku-4-5'],
      ['proxy', 'claude-haiku-4-5'],
    ]);
  });
});
