/**
 * `agenttap rules simulate` (issue 15): rules tried on a recording give what a live `--dry-run` of the same
 * session logged, decision by decision and rule by rule; a rule whose rewrite is invalid shows its requests
 * invalid, with the reason; a sliding-window trim that breaks the prompt cache every turn costs more after
 * than a deterministic cut, though it sends fewer tokens. Through the real CLI (bin/agenttap.js → dist/: build
 * first) on a real SDK agent recorded under the loader against the mock.
 */
import { copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../reports/index.js';
import type { SimulationSummary } from '../../reports/model/simulation.js';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { eventsOf, ROOT, runNode, scratch, sessionEvents, spawnBounded, type RunResult } from '../helpers/run.js';
import { summaryOfLiveRun } from '../helpers/simulation.js';

const CLI = join(ROOT, 'bin', 'agenttap.js');
const AGENT = join(ROOT, 'tests', 'fixtures', 'agents', 'cached-tool-loop.mjs');
const TURNS = 8;

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock({
    strict: true,
    script: [
      ...Array.from({ length: TURNS }, (_, i) => ({ toolUse: { name: 'read_file', input: { path: `src/f${i}.ts` } } })),
      { text: 'done' },
    ],
  });
});
afterAll(() => mock.close());

function rulesFile(rules: unknown, name = 'rules.json'): string {
  const file = join(scratch('agenttap-sim-rules-'), name);
  writeFileSync(file, typeof rules === 'string' ? rules : JSON.stringify({ rules }));
  return file;
}

async function record(env: Record<string, string> = {}): Promise<RunResult> {
  mock.reset();
  const run = await runNode(AGENT, {
    env: { ANTHROPIC_BASE_URL: mock.url, ANTHROPIC_API_KEY: 'sk-ant-test', ...env },
    timeoutMs: 60_000,
  });
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toContain('done');
  return run;
}

async function simulate(session: string, rules: string, ...flags: string[]) {
  return spawnBounded(process.execPath, [CLI, 'rules', 'simulate', session, '--rules', rules, ...flags], {
    env: { PATH: process.env.PATH },
    timeoutMs: 60_000,
  });
}

async function simulateJson(session: string, rules: string): Promise<SimulationSummary> {
  const out = await simulate(session, rules, '--json');
  expect(out.code, out.stderr).toBe(0);
  return JSON.parse(out.stdout) as SimulationSummary;
}

const MIXED = [
  {
    id: 'loop-to-haiku',
    match: { mechanism: ['main-loop', 'tool-round-trip'], model: 'claude-sonnet-*' },
    actions: [{ type: 'setModel', to: 'claude-haiku-4-5' }],
  },
  { id: 'cut-results', match: { messages: { min: 3 } }, actions: [{ type: 'truncate', maxChars: 1000 }] },
  { id: 'window', match: { messages: { min: 9 } }, actions: [{ type: 'trimContext', keepExchanges: 2 }] },
];

describe('agenttap rules simulate', () => {
  it('on a recorded live dry run, gives the same decisions as the run logged: per exchange, per rule set, per rule', async () => {
    const rules = rulesFile(MIXED);
    const run = await record({ AGENTTAP_RULES: rules, AGENTTAP_DRY_RUN: '1' });
    const live = eventsOf(await sessionEvents(run.sessionDir), 'rewrite.applied');
    expect(live.length).toBe(TURNS + 1);
    expect(live.every((e) => e.dry_run && !e.sent)).toBe(true);
    // The recording holds usage after each turn: later estimates are scaled from it, and the window moved.
    expect(live.some((e) => e.tokens?.basis === 'usage')).toBe(true);
    expect(live.some((e) => e.rules.some((r) => r.rule === 'window'))).toBe(true);

    const sim = await simulateJson(run.sessionDir, rules);
    // Each decision, as the report reads the live event: rules, actions, validity, change, tokens, cache, cost.
    const report = await buildReport(run.sessionDir);
    const liveRows = report.exchanges.filter((r) => r.rewrite).map((r) => [r.id, r.rewrite]);
    expect(sim.decisions.map((d) => [d.exchange, d.rewrite])).toEqual(liveRows);
    // And the raw figures, to the last token and fraction of a cent.
    expect(sim.decisions.map((d) => d.rewrite.tokens)).toEqual(live.map((e) => e.tokens));
    expect(sim.decisions.map((d) => d.rewrite.cost)).toEqual(live.map((e) => e.cost));
    expect(sim.decisions.map((d) => d.rewrite.cache)).toEqual(live.map((e) => e.cache));

    // Rule by rule: the live events summed the same way.
    const fromLive = summaryOfLiveRun(live, sim);
    expect(sim.perRule).toEqual(fromLive.perRule);
    expect(sim.rows).toEqual(fromLive.rows);
    expect(sim.total).toEqual(fromLive.total);
    expect(sim.perRule.map((r) => [r.rules, r.changed, r.estimate.calls])).toEqual([
      ['loop-to-haiku', TURNS + 1, TURNS + 1],
      ['cut-results', TURNS, TURNS],
      ['window', TURNS - 3, TURNS - 3],
    ]);
    expect(sim.rows.every((r) => r.mechanism !== 'unclassified')).toBe(true);
    expect(sim).toMatchObject({
      requests: TURNS + 1,
      decided: TURNS + 1,
      skipped: [],
      alreadyRewritten: 0,
      redacted: 0,
    });
  }, 120_000);

  it('two processes: decisions listed in the order the calls were made, as the report lists them, not file by file', async () => {
    const rules = rulesFile(MIXED);
    const first = await record({ AGENTTAP_RULES: rules, AGENTTAP_DRY_RUN: '1' });
    const second = await record({ AGENTTAP_RULES: rules, AGENTTAP_DRY_RUN: '1' });
    // Files are named by pid, which wraps: here the later process's file sorts first.
    const session = scratch('agenttap-sim-two-');
    const logOf = (run: RunResult) => readdirSync(run.sessionDir).find((f) => f.endsWith('.ndjson'))!;
    copyFileSync(join(first.sessionDir, logOf(first)), join(session, '900.ndjson'));
    copyFileSync(join(second.sessionDir, logOf(second)), join(session, '100.ndjson'));

    const sim = await simulateJson(session, rules);
    const report = await buildReport(session);
    const files = sim.decisions.map((d) => basename(d.file));
    expect(files).toEqual([...Array(TURNS + 1).fill('900.ndjson'), ...Array(TURNS + 1).fill('100.ndjson')]);
    expect(sim.decisions.map((d) => [d.exchange, d.rewrite])).toEqual(
      report.exchanges.filter((r) => r.rewrite).map((r) => [r.id, r.rewrite]),
    );
    expect(sim.decisions.every((d, i) => i === 0 || d.time! >= sim.decisions[i - 1]!.time!)).toBe(true);
  }, 120_000);

  it('an OpenAI agent: the simulation of its dry run equals what the run logged (priced on size, no cache split)', async () => {
    mock.reset();
    const rules = join(ROOT, 'examples', 'rules', 'generic-sdk.json');
    const run = await runNode(join(ROOT, 'examples', 'openai-agent.mjs'), {
      args: ['What is in src?'],
      env: {
        OPENAI_BASE_URL: `${mock.url}/v1`,
        OPENAI_API_KEY: 'sk-test',
        AGENTTAP_RULES: rules,
        AGENTTAP_DRY_RUN: '1',
      },
      timeoutMs: 60_000,
    });
    expect(run.code, run.stderr).toBe(0);
    const live = eventsOf(await sessionEvents(run.sessionDir), 'rewrite.applied');
    expect(live.length).toBeGreaterThan(2);
    const sim = await simulateJson(run.sessionDir, rules);
    const report = await buildReport(run.sessionDir);
    expect(sim.decisions.map((d) => [d.exchange, d.rewrite])).toEqual(
      report.exchanges.filter((r) => r.rewrite).map((r) => [r.id, r.rewrite]),
    );
    expect(sim.decisions.map((d) => [d.rewrite.tokens, d.rewrite.cost])).toEqual(live.map((e) => [e.tokens, e.cost]));
    expect(sim.perRule.map((r) => [r.rules, r.changed])).toEqual([['openai-loop-to-nano', live.length]]);
  }, 120_000);

  /** One request with this JSON text, sent by a bare fetch under the loader in a live dry run of `rules`. */
  async function dryRunOf(body: string, rules: string) {
    mock.reset();
    const app = join(scratch('agenttap-sim-app-'), 'app.mjs');
    writeFileSync(
      app,
      `await fetch(process.env.ANTHROPIC_BASE_URL + '/v1/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(body)} }).then((r) => r.text());`,
    );
    const run = await runNode(app, {
      env: { ANTHROPIC_BASE_URL: mock.url, AGENTTAP_RULES: rules, AGENTTAP_DRY_RUN: '1' },
    });
    expect(run.code, run.stderr).toBe(0);
    const [live] = eventsOf(await sessionEvents(run.sessionDir), 'rewrite.applied');
    return { live: live!, sim: await simulateJson(run.sessionDir, rules) };
  }
  const SWAP = [{ id: 'swap', actions: [{ type: 'setModel', to: 'claude-haiku-4-5' }] }];

  it('a body another serialiser wrote (Python json.dumps spacing): sized as sent, so the figures equal the live ones', async () => {
    // What the anthropic Python SDK sends through `agenttap proxy`: ", " and ": " between the parts.
    const body = `{"model": "claude-sonnet-4-5", "max_tokens": 100, "messages": [{"role": "user", "content": "${'Summarise this file. '.repeat(40)}"}]}`;
    const { live, sim } = await dryRunOf(body, rulesFile(SWAP));
    expect((live.change as { chars: number[] }).chars[0]).toBe(body.length);
    expect(sim.decisions.map((d) => [d.rewrite.change.chars, d.rewrite.tokens, d.rewrite.cost])).toEqual([
      [live.change!.chars, live.tokens, live.cost],
    ]);
    expect(sim.redacted).toBe(0);
  }, 60_000);

  it('a body with a secret: estimated from what the log holds, within a few tokens of the live run, and says so', async () => {
    const key = `sk-ant-api03-${'Zx9'.repeat(30)}AA`;
    const body = JSON.stringify({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: `Deploy with ANTHROPIC_API_KEY=${key} please.` }],
    });
    const rules = rulesFile(SWAP);
    const { live, sim } = await dryRunOf(body, rules);
    expect(sim.redacted).toBe(1);
    // The key is a shorter tag in the log: a few tokens fewer on both sides…
    const [s, l] = [sim.decisions[0]!.rewrite.tokens!, live.tokens!];
    expect(l.before - s.before).toBeGreaterThan(0);
    expect(l.before - s.before).toBeLessThanOrEqual(20);
    expect(l.before - l.after).toBe(s.before - s.after);
    // …and the body's size before and after from the same (redacted) text: the change in size is the live one.
    const [sc, lc] = [sim.decisions[0]!.rewrite.change.chars as number[], live.change!.chars as number[]];
    expect(sc[1]! - sc[0]!).toBe(lc[1]! - lc[0]!);
    const text = await simulate(dirname(sim.decisions[0]!.file), rules);
    expect(text.stdout).toContain('1 request(s) carry a redacted secret');
    expect(text.stdout).not.toContain(key);
  }, 60_000);

  it('on a plain recording, a rule whose rewrite is invalid shows those requests invalid, with the reason', async () => {
    const run = await record();
    const rules = rulesFile(
      [
        'export default { rules: [',
        "  { id: 'drop-first', match: { messages: { min: 3 } },",
        '    actions: [{ type: "hook", fn: (body) => ({ ...body, messages: body.messages.slice(1) }) }] },',
        "  { id: 'to-haiku', match: { messages: { max: 1 } }, actions: [{ type: 'setModel', to: 'claude-haiku-4-5' }] },",
        '] };',
      ].join('\n'),
      'rules.mjs',
    );
    const sim = await simulateJson(run.sessionDir, rules);
    expect(sim.perRule.map((r) => [r.rules, r.changed, r.estimate.calls, r.invalid])).toEqual([
      ['to-haiku', 1, 1, 0],
      ['drop-first', TURNS, 0, TURNS],
    ]);
    expect(sim.reasons).toEqual([
      { reason: expect.stringContaining('the first message must use the "user" role'), count: TURNS },
    ]);
    // Invalid rewrites are not in the estimate: only the valid one is.
    expect(sim.total).toMatchObject({ changed: TURNS + 1, estimate: { calls: 1 }, invalid: TURNS });
    expect(sim.total.estimate.cost.after).toBeLessThan(sim.total.estimate.cost.before);

    const text = await simulate(run.sessionDir, rules);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/invalid \(the original would have gone out\):\n\s+8× .*"user" role/);
    const md = await simulate(run.sessionDir, rules, '--markdown');
    expect(md.stdout).toContain('| drop-first | generic.tool-round-trip | 8 | 0 | 8 |');

    // `agenttap report --simulate` carries the same simulation in its model, and shows it on the terminal.
    const report = await spawnBounded(
      process.execPath,
      [CLI, 'report', run.sessionDir, '--simulate', rules, '--json', '-'],
      { env: { PATH: process.env.PATH }, timeoutMs: 60_000 },
    );
    expect(report.code, report.stderr).toBe(0);
    expect((JSON.parse(report.stdout) as { simulation: unknown }).simulation).toEqual(sim);
    const terminal = await spawnBounded(process.execPath, [CLI, 'report', run.sessionDir, '--simulate', rules], {
      env: { PATH: process.env.PATH },
      timeoutMs: 60_000,
    });
    expect(terminal.stdout).toContain(text.stdout.trimEnd());
  }, 120_000);

  it('a sliding-window trim that breaks the cache prefix every turn costs more after than a deterministic cut', async () => {
    const run = await record();
    const window = await simulateJson(
      run.sessionDir,
      rulesFile([{ id: 'window', actions: [{ type: 'trimContext', keepExchanges: 2 }] }]),
    );
    const cut = await simulateJson(
      run.sessionDir,
      rulesFile([{ id: 'cut', actions: [{ type: 'truncate', maxChars: 2000 }] }]),
    );
    const w = window.total;
    const c = cut.total;
    expect(w.estimate.calls).toBeGreaterThan(3);
    expect(c.estimate.calls).toBe(TURNS);
    // The window sends fewer tokens than the cut…
    expect(w.estimate.tokens.after).toBeLessThan(c.estimate.tokens.after);
    // …but writes the cache again every turn, where the cut keeps reading it…
    expect(w.cache.after.write).toBeGreaterThan(w.cache.before.write);
    expect(c.cache.after.read).toBeGreaterThan(0);
    // …and so costs more after.
    expect(w.estimate.cost.after).toBeGreaterThan(c.estimate.cost.after);
  }, 120_000);

  it('bad input: a rules file or a session that is wrong stops with one line naming the file, the field and the fix', async () => {
    const session = scratch('agenttap-sim-nosession-');
    const badRule = rulesFile([{ id: 'x', actions: [{ type: 'setModel' }] }]);
    const bad = await simulate(session, badRule);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^agenttap: invalid rules\n/);
    expect(bad.stderr).toContain(badRule);
    expect(bad.stderr).toMatch(/rule "x" \(rules\[0\]\), field "actions\[0\]": give "to"/);
    expect(bad.stderr).toContain('Fix:');

    const good = rulesFile(MIXED);
    const missing = await simulate(join(session, 'nope'), good);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope: no such session directory or log file\. Fix: /);
    const absent = await simulate(session, join(session, 'absent.json'));
    expect(absent.code).toBe(2);
    expect(absent.stderr).toMatch(/absent\.json: cannot be read \(ENOENT\)\. Fix: check the path given to --rules/);
    expect(bad.stdout + missing.stdout + absent.stdout).toBe('');
  }, 60_000);
});
