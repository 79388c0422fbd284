/**
 * The agent's own labels beside the signatures' (issue 10 parts 3–4): `exchange.label` events (written by
 * `agenttap run`'s process after the run, joined by exchange id) put Claude Code's `query_source` on its
 * rows; the report counts the pairs signature → agent label that disagree, and lists the distinct shapes
 * of the unclassified calls (model, system head, tools, first user text) in every renderer.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { agentLabelMeaning } from '../../../src/mechanisms/agent-labels.js';
import { buildReport } from '../../../reports/model/build.js';
import { renderMarkdown } from '../../../reports/render/markdown/index.js';
import { renderTerminal } from '../../../reports/render/terminal/index.js';
import { ROOT, scratch } from '../../helpers/run.js';

const CC10 = join(ROOT, 'tests', 'fixtures', 'logs', 'claude-code-1.0');

/** The runner's own line format (src/run/claude-labels.ts): another pid than the exchanges'. */
const label = (exchange: string, query_source: string) =>
  JSON.stringify({
    level: 30,
    time: 1751364050000,
    v: 1,
    session: 'cc10',
    pid: 99,
    ppid: 1,
    event: 'exchange.label',
    mono: 1,
    exchange,
    source: 'claude-code',
    label: query_source,
    request_id: `req_${exchange}`,
  });

/**
 * Calls no signature set knows (an endpoint no set detects): unclassified, as a new release's calls are
 * when its signatures drifted. Native Claude Code's billing header comes first in the system prompt, its
 * hash different per call.
 */
function futureClaudeCode(dir: string): void {
  const base = { level: 30, v: 1, session: 'cc10', pid: 4300, ppid: 1 };
  const ev = (t: number, event: string, body: Record<string, unknown>) =>
    JSON.stringify({ ...base, time: 1751364060000 + t, mono: 60000 + t, event, ...body });
  const system = (cch: string) => [
    { type: 'text', text: `x-anthropic-billing-header: cc_version=9.9.9; cc_entrypoint=sdk-cli; cch=${cch};` },
    { type: 'text', text: "You are a Claude agent, built on Anthropic's Claude Agent SDK." },
  ];
  const tools = [
    { name: 'Bash', input_schema: { type: 'object' } },
    { name: 'Edit', input_schema: { type: 'object' } },
  ];
  const lines: string[] = [ev(0, 'session.start', { argv: ['claude', '-p'] })];
  const call = (t: number, id: string, cch: string, messages: unknown[]) => {
    lines.push(
      ev(t, 'exchange.request', {
        exchange: id,
        layer: 'fetch',
        endpoint: 'custom',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': 'claude-sonnet-9',
        'http.request.method': 'POST',
        'url.full': 'https://api.example.com/v9/agent',
        stream: true,
        headers: { 'user-agent': 'claude-cli/9.9.9 (external, sdk-cli)', 'x-app': 'cli' },
        body: { model: 'claude-sonnet-9', max_tokens: 32000, system: system(cch), tools, messages },
      }),
    );
    lines.push(
      ev(t + 10, 'exchange.end', {
        exchange: id,
        outcome: 'complete',
        duration_ms: 10,
        usage: { input_tokens: 5, output_tokens: 1 },
        body: { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
      }),
    );
  };
  const first = { role: 'user', content: 'create hello.txt' };
  call(0, 'n-1', 'aaaa1', [first]);
  call(100, 'n-2', 'bbbb2', [
    first,
    { role: 'assistant', content: 'ok' },
    { role: 'user', content: 'and now edit it' },
  ]);
  call(200, 'n-3', 'cccc3', [{ role: 'user', content: 'summarise the repository' }]);
  writeFileSync(join(dir, '4300.ndjson'), `${lines.join('\n')}\n`);
}

function labelledSession(): string {
  const dir = scratch('agenttap-agent-labels-');
  cpSync(CC10, dir, { recursive: true });
  futureClaudeCode(dir);
  writeFileSync(
    join(dir, '99.ndjson'),
    `${[
      label('ex-3', 'sdk'), // main-loop: agrees
      label('ex-13', 'repl_main_thread'), // post-compaction: the main thread too
      label('ex-7', 'agent:builtin:general-purpose'), // sub-agent
      label('ex-12', 'compact'),
      label('ex-11', 'generate_session_title'),
      label('ex-5', 'compact'), // bash-prefix-check by signature: a disagreement
      label('ex-2', 'brand_new_source'), // a label the table does not know: a disagreement too
      label('n-1', 'sdk'),
      label('n-2', 'sdk'),
    ].join('\n')}\n`,
  );
  return dir;
}

describe("the agent's own labels in the report", () => {
  test('the table maps query_source to mechanisms; an unknown value maps to nothing', () => {
    expect(agentLabelMeaning('claude-code', 'sdk')?.mechanism).toBe('main-loop');
    expect(agentLabelMeaning('claude-code', 'repl_main_thread')?.agrees).toContain('tool-round-trip');
    expect(agentLabelMeaning('claude-code', 'agent:custom')?.mechanism).toBe('sub-agent');
    expect(agentLabelMeaning('claude-code', 'compact')?.mechanism).toBe('compaction');
    expect(agentLabelMeaning('claude-code', 'generate_session_title')?.mechanism).toBe('session-title');
    expect(agentLabelMeaning('claude-code', 'toString')).toBeUndefined();
    expect(agentLabelMeaning('other-agent', 'sdk')).toBeUndefined();
  });

  test('rows carry the label beside the signature; disagreements are counted per pair', async () => {
    const model = await buildReport(labelledSession());
    const row = (id: string) => model.exchanges.find((r) => r.id === id)!;
    expect(row('ex-3')).toMatchObject({
      mechanism: 'main-loop',
      agentLabel: { source: 'claude-code', label: 'sdk', mechanism: 'main-loop', agrees: true },
    });
    expect(row('ex-13')).toMatchObject({
      mechanism: 'post-compaction',
      agentLabel: { label: 'repl_main_thread', agrees: true },
    });
    expect(row('ex-7').agentLabel).toMatchObject({ mechanism: 'sub-agent', agrees: true });
    expect(row('ex-5')).toMatchObject({
      mechanism: 'bash-prefix-check',
      agentLabel: { label: 'compact', mechanism: 'compaction', agrees: false },
    });
    expect(row('ex-2').agentLabel).toEqual({ source: 'claude-code', label: 'brand_new_source', agrees: false });
    expect(row('ex-4').agentLabel).toBeUndefined();
    expect(row('n-1')).toMatchObject({ mechanism: 'unclassified', agentLabel: { label: 'sdk', agrees: false } });
    expect(model.agentLabels).toEqual({
      labelled: 9,
      agree: 5,
      disagreements: [
        { signature: 'unclassified', agent: 'sdk', count: 2 },
        // Ties in the order of their first call.
        { signature: 'topic-detection', agent: 'brand_new_source', count: 1 },
        { signature: 'bash-prefix-check', agent: 'compact', count: 1 },
      ],
    });
    // The label is not a classification: the lanes stay the signatures'.
    expect(model.mechanisms.find((m) => m.id === 'compaction')!.calls).toBe(1);
  });

  test('the distinct unclassified shapes: model, system head (billing header skipped), tools, first user text', async () => {
    const model = await buildReport(labelledSession());
    const n1 = model.exchanges.find((r) => r.id === 'n-1')!.i;
    const n3 = model.exchanges.find((r) => r.id === 'n-3')!.i;
    expect(model.unclassifiedShapes).toEqual([
      {
        key: "claude-sonnet-9 | You are a Claude agent, built on Anthropic's Claude Agent SDK. | Bash,Edit | create hello.txt",
        model: 'claude-sonnet-9',
        system: "You are a Claude agent, built on Anthropic's Claude Agent SDK.",
        tools: ['Bash', 'Edit'],
        firstUser: 'create hello.txt',
        calls: 2,
        first: n1,
      },
      {
        key: "claude-sonnet-9 | You are a Claude agent, built on Anthropic's Claude Agent SDK. | Bash,Edit | summarise the repository",
        model: 'claude-sonnet-9',
        system: "You are a Claude agent, built on Anthropic's Claude Agent SDK.",
        tools: ['Bash', 'Edit'],
        firstUser: 'summarise the repository',
        calls: 1,
        first: n3,
      },
    ]);
    // A log without labels has no agentLabels and, all classified, no shapes.
    const plain = await buildReport(CC10);
    expect(plain.agentLabels).toBeUndefined();
    expect(plain.unclassifiedShapes).toEqual([]);
  });

  test('Markdown and terminal show the agreement, the disagreeing pairs and the shapes', async () => {
    const model = await buildReport(labelledSession());
    const md = renderMarkdown(model);
    expect(md).toContain("### The agent's own labels");
    expect(md).toContain('5 of 9 labelled calls agree with the signatures.');
    expect(md).toMatch(/^\| Bash prefix check \| compact \| 1 \|$/m);
    expect(md).toMatch(/^\| Unclassified \| sdk \| 2 \|$/m);
    expect(md).toMatch(
      /^- 2 × from #\d+: claude-sonnet-9 \\\| You are a Claude agent.* \\\| Bash,Edit \\\| create hello\.txt$/m,
    );
    expect(md).toMatch(/- #\d+ POST \/v9\/agent \(agent: sdk\): /);
    const term = renderTerminal(model);
    expect(term).toContain(
      "agent's own labels: 5 of 9 agree with the signatures; disagree: unclassified → sdk ×2 · topic-detection → brand_new_source ×1 · bash-prefix-check → compact ×1",
    );
    expect(term).toContain('unclassified shapes: 2 (model | system | tools | first user text)');
    expect(term).toMatch(/^ {2}2 × #\d+: claude-sonnet-9 \| You are a Claude agent/m);
  });
});
