/**
 * Issue 15's acceptance for `rules simulate` on a real agent: Claude Code 2.1.112 under the loader does a task
 * (create, edit, a sub-agent) and `/compact` with rules in a live `--dry-run`; `agenttap rules simulate` on that
 * recording with the same rules equals the `rewrite.applied` events the live run logged — the same exchanges,
 * rule by rule, the same validity, tokens, cache split and cost. Build first (bin/agenttap.js → dist/).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { SimulationSummary } from '../../reports/model/simulation.js';
import { buildReport } from '../../reports/index.js';
import { startMock } from '../../src/mock/index.js';
import { EDITED_LINE, TASK_PROMPT, claudeCodeScript, claudeCodeUsage } from '../fixtures/claude-code/script.js';
import { AGENTTAP_BIN, runClaudeCodeSteps, type ClaudeCodeResult } from '../helpers/claude-code.js';
import { eventsOf, ROOT, scratch, sessionEvents, spawnBounded } from '../helpers/run.js';
import { summaryOfLiveRun } from '../helpers/simulation.js';

// The shipped cost saver, with a cut of every tool result and a sliding window on the main loop on top: model
// swaps, a change of every request, and one that moves the cached prefix each turn.
const saver = JSON.parse(readFileSync(join(ROOT, 'examples', 'rules', 'claude-code-cost-saver.json'), 'utf8')) as {
  rules: unknown[];
};
const RULES = {
  rules: [
    ...saver.rules,
    {
      id: 'cut-tool-results',
      match: { endpoint: 'anthropic.messages' },
      actions: [{ type: 'truncate', maxChars: 100 }],
    },
    { id: 'main-window', match: { mechanism: 'main-loop' }, actions: [{ type: 'trimContext', keepExchanges: 1 }] },
  ],
};

describe('Claude Code 2.1.112: rules simulate on a recording equals the live dry run', () => {
  test('every rewrite.applied of the dry run, exchange by exchange and rule by rule', async () => {
    const mock = await startMock({ script: claudeCodeScript(), usage: claudeCodeUsage });
    const rules = join(scratch('agenttap-cc-sim-rules-'), 'rules.json');
    writeFileSync(rules, JSON.stringify(RULES));
    const sessionsDir = scratch('agenttap-cc-sim-sessions-');
    let steps: ClaudeCodeResult[];
    try {
      steps = await runClaudeCodeSteps([TASK_PROMPT, '/compact'], {
        mockUrl: mock.url,
        sessionsDir,
        env: { AGENTTAP_RULES: rules, AGENTTAP_DRY_RUN: '1' },
      });
    } finally {
      await mock.close();
    }
    for (const step of steps) expect(step.code, step.stderr).toBe(0);
    expect(readFileSync(join(steps[0]!.cwd, 'notes/todo.md'), 'utf8')).toContain(EDITED_LINE);
    const session = join(sessionsDir, 'cc');

    // By time, as the report and the simulation list them (the log is read file by file, files named by pid).
    const live = eventsOf(await sessionEvents(session), 'rewrite.applied').sort((a, b) => a.time - b.time);
    const applied = new Set(live.flatMap((e) => e.rules.map((r) => r.rule)));
    for (const id of ['side-calls-to-haiku', 'cut-tool-results', 'main-window']) expect(applied).toContain(id);
    expect(live.every((e) => e.dry_run && !e.sent)).toBe(true);

    const out = await spawnBounded(
      process.execPath,
      [AGENTTAP_BIN, 'rules', 'simulate', session, '--rules', rules, '--json'],
      {
        env: { PATH: process.env.PATH },
        timeoutMs: 60_000,
      },
    );
    expect(out.code, out.stderr).toBe(0);
    const sim = JSON.parse(out.stdout) as SimulationSummary;

    // Exchange by exchange, as the report reads the live events (two processes: the task, then /compact).
    const report = await buildReport(session);
    const key = (pid: number | string, id: string) => `${pid}/${id}`;
    const liveRows = report.exchanges.filter((r) => r.rewrite).map((r) => [key(r.pid, r.id), r.rewrite] as const);
    const pidOf = (file: string) => /(\d+)\.ndjson$/.exec(file)![1]!;
    const simRows = sim.decisions.map((d) => [key(pidOf(d.file), d.exchange), d.rewrite] as const);
    // In the report's order (by time), though the simulation reads the log file by file and a process's file is
    // named by its pid, which can wrap between the two runs (CI saw /compact's 318 sort before the task's 32720).
    expect(simRows).toEqual(liveRows);
    expect(new Set(sim.decisions.map((d) => d.file)).size).toBe(2);
    expect(sim.decisions.every((d, i) => i === 0 || d.time! >= sim.decisions[i - 1]!.time!)).toBe(true);
    // The raw estimates, to the token and the fraction of a cent, call by call.
    expect(
      sim.decisions.map((d) => [key(pidOf(d.file), d.exchange), d.rewrite.tokens, d.rewrite.cache, d.rewrite.cost]),
    ).toEqual(live.map((e) => [key(e.pid, e.exchange), e.tokens, e.cache, e.cost]));

    // Rule by rule and per mechanism: the live events summed the same way.
    const fromLive = summaryOfLiveRun(live, sim);
    expect(sim.perRule).toEqual(fromLive.perRule);
    expect(sim.rows).toEqual(fromLive.rows);
    expect(sim.total).toEqual(fromLive.total);
    // The recording's mechanisms reached the rules as they did live: sub-agent and compaction went to Haiku.
    expect(sim.rows.map((r) => r.mechanism)).toEqual(
      expect.arrayContaining(['claude-code.sub-agent', 'claude-code.compaction', 'claude-code.main-loop']),
    );
  }, 240_000);
});
