/**
 * Issue 5 on a real agent: Claude Code 2.1.112 under the loader with rules that send sub-agents and
 * compaction to another model and cut tool results. The mock receives the rewritten requests (each valid),
 * Claude Code still does its task, and the log shows every rewrite with its rule and change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { validateAnthropicRequest } from '../../src/exchange/anthropic-validity.js';
import { startMock } from '../../src/mock/index.js';
import { parseRequest } from '../../src/mock/request.js';
import { buildReport } from '../../reports/index.js';
import {
  EDITED_LINE,
  TASK_PROMPT,
  classifyClaudeCodeRequest,
  claudeCodeScript,
  claudeCodeUsage,
} from '../fixtures/claude-code/script.js';
import { runClaudeCodeSteps, type ClaudeCodeResult } from '../helpers/claude-code.js';
import { eventsOf, scratch, sessionEvents } from '../helpers/run.js';

const RULES = {
  rules: [
    {
      id: 'side-calls-to-haiku',
      match: { mechanism: ['claude-code.sub-agent', 'claude-code.compaction'] },
      actions: [{ type: 'setModel', to: 'claude-haiku-4-5' }],
    },
    {
      id: 'cut-tool-results',
      match: { endpoint: 'anthropic.messages' },
      actions: [{ type: 'truncate', maxChars: 100 }],
    },
  ],
};

describe('Claude Code 2.1.112 with rewrite rules', () => {
  test('sub-agent and compaction go to Haiku, tool results are cut, the task is done, the log shows each rewrite', async () => {
    const mock = await startMock({ script: claudeCodeScript(), usage: claudeCodeUsage });
    const rules = join(scratch('agenttap-cc-rules-'), 'rules.json');
    writeFileSync(rules, JSON.stringify(RULES));
    const sessionsDir = scratch('agenttap-cc-sessions-');
    let steps: ClaudeCodeResult[];
    try {
      steps = await runClaudeCodeSteps([TASK_PROMPT, '/compact'], {
        mockUrl: mock.url,
        sessionsDir,
        env: { AGENTTAP_RULES: rules },
      });
    } finally {
      await mock.close();
    }
    for (const step of steps) expect(step.code, step.stderr).toBe(0);
    expect(readFileSync(join(steps[0]!.cwd, 'notes/todo.md'), 'utf8')).toContain(EDITED_LINE);

    const calls = mock.received
      .filter((r) => r.method === 'POST' && r.path === '/v1/messages')
      .map((r) => ({
        kind: classifyClaudeCodeRequest(
          parseRequest({ api: 'anthropic', n: 0, seq: 0, path: r.path, headers: {}, body: r.body, bodyBytes: 0 }),
        ),
        body: r.body as Record<string, unknown>,
      }));
    const side = calls.filter((c) => c.kind === 'subagent' || c.kind === 'compaction');
    expect(side.map((c) => c.kind).sort()).toEqual(expect.arrayContaining(['compaction', 'subagent']));
    for (const c of side) {
      expect(c.body.model, c.kind).toBe('claude-haiku-4-5');
      expect(validateAnthropicRequest(c.body), c.kind).toEqual([]);
    }
    expect(calls.filter((c) => c.kind === 'main').every((c) => c.body.model !== 'claude-haiku-4-5')).toBe(true);
    expect(calls.some((c) => JSON.stringify(c.body).match(/\[agenttap: \d+ characters cut\]/))).toBe(true);

    const events = await sessionEvents(join(sessionsDir, 'cc'));
    const decisions = eventsOf(events, 'rewrite.applied');
    const toHaiku = decisions.filter((d) => d.rules.some((r) => r.rule === 'side-calls-to-haiku'));
    expect(toHaiku.length).toBe(side.length);
    for (const d of toHaiku) {
      expect(d.sent).toBe(true);
      expect((d.change as { model?: string[] }).model?.[1]).toBe('claude-haiku-4-5');
    }
    expect(decisions.every((d) => !d.rejected)).toBe(true);
    // Each rewrite with its saving: Haiku is cheaper than the agent's model for the same input.
    for (const d of toHaiku) expect(d.cost!.after, JSON.stringify(d)).toBeLessThan(d.cost!.before);
    // After a conversation's first response the estimates come from what the API counted.
    expect(decisions.some((d) => d.tokens?.basis === 'usage')).toBe(true);

    // The report marks exactly these exchanges and prices what they saved against their actual usage.
    const report = await buildReport(join(sessionsDir, 'cc'), {
      onWarning: (w) => {
        throw new Error(w);
      },
    });
    const marked = report.exchanges.filter((row) => row.rewrite);
    expect(marked.map((row) => row.id).sort()).toEqual(decisions.map((d) => d.exchange).sort());
    expect(marked.every((row) => row.rewrite!.state === 'sent')).toBe(true);
    const totals = report.rewrites!.totals;
    expect(totals.sent).toBe(decisions.length);
    const estimated = decisions.reduce((sum, d) => sum + (d.cost ? d.cost.before - d.cost.after : 0), 0);
    expect(totals.saving.usd).toBeCloseTo(estimated, 6);
    expect(totals.saving.usd).toBeGreaterThan(0);
    expect(totals.actual.cost).toBeCloseTo(
      marked.reduce((sum, row) => sum + (row.cost ?? 0), 0),
      6,
    );
  }, 120_000);
});
