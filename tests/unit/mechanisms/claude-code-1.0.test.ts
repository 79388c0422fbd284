/** Claude Code 1.0.x fixture logs (tests/fixtures/logs/claude-code-1.0, see generate.mjs) are classified right. */
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildReport } from '../../../reports/model/build.js';
import type { ReportModel } from '../../../reports/model/types.js';
import { ROOT } from '../../helpers/run.js';

const FIXTURE = join(ROOT, 'tests', 'fixtures', 'logs', 'claude-code-1.0');

describe('Claude Code 1.0.x session', () => {
  let model: ReportModel;
  beforeAll(async () => {
    model = await buildReport(FIXTURE, {
      onWarning: (w) => {
        throw new Error(w);
      },
    });
  });

  test('each exchange gets its mechanism, from the 1.0.x signatures', () => {
    expect(model.exchanges.map((r) => r.mechanism)).toEqual([
      'quota-check',
      'topic-detection',
      'main-loop',
      'main-loop',
      'bash-prefix-check',
      'main-loop',
      'sub-agent',
      'sub-agent',
      'main-loop',
      'main-loop',
      'session-title',
      'compaction',
      'post-compaction',
      'main-loop',
    ]);
    expect(new Set(model.exchanges.map((r) => `${r.agent} ${r.agentVersion}`))).toEqual(
      new Set(['claude-code 1.0.44']),
    );
    expect(model.exchanges.every((r) => r.signature?.startsWith('claude-code@1.0/'))).toBe(true);
  });

  test("the Task sub-agent hangs off the main loop's Task tool_use", () => {
    const sub = model.threads.find((t) => t.mechanism === 'sub-agent')!;
    expect(sub.exchanges).toEqual([6, 7]);
    expect(sub.spawnedBy).toEqual({ exchange: 5, toolUseId: 'toolu_task1', tool: 'Task' });
  });

  test('compaction: the summary call, then a restarted thread linked to it', () => {
    const main = model.threads.find((t) => t.exchanges.includes(2))!;
    expect(main.exchanges).toEqual([2, 3, 5, 8, 9, 11]);
    const next = model.threads.find((t) => t.exchanges.includes(12))!;
    expect(next.compactedFrom).toEqual({ thread: main.id, exchange: 11 });
    expect(model.mainLine).toEqual([2, 3, 5, 8, 9, 11, 12, 13]);
  });

  test('IDE/MCP tools, todo use and reminders are recognised', () => {
    const first = model.exchanges[2]!;
    expect(first.features).toEqual(expect.arrayContaining(['ide-tools', 'todo-write']));
    expect(first.features).not.toContain('mcp-tools');
    expect(first.reminders).toEqual(['context', 'ide-selection']);
    expect(model.exchanges[3]!.reminders).toEqual(['todo']);
    const tools = model.anatomy.toolsets.find((t) => t.mechanisms.includes('main-loop'))!;
    expect(tools.tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['Task', 'TodoWrite', 'mcp__ide__getDiagnostics', 'mcp__ide__executeCode']),
    );
    expect(
      model.anatomy.toolsets.find((t) => t.mechanisms.includes('sub-agent'))!.tools.map((t) => t.name),
    ).not.toContain('Task');
  });

  test('summary per mechanism: calls, tokens, cost, latency percentiles', () => {
    const main = model.mechanisms.find((m) => m.id === 'main-loop')!;
    expect(main.calls).toBe(6);
    expect(main.usage.cacheRead).toBe(14800 + 15220 + 15520 + 15720 + 15100);
    expect(main.latency).toEqual({ p50: 2400, p95: 2400 });
    // claude-sonnet-4: $3 in, $15 out, $3.75 cache write, $0.30 cache read per MTok.
    const u = main.usage;
    expect(main.cost).toBeCloseTo((u.input * 3 + u.output * 15 + u.cacheWrite * 3.75 + u.cacheRead * 0.3) / 1e6, 10);
    const sub = model.mechanisms.find((m) => m.id === 'sub-agent')!;
    expect(sub.latency).toEqual({ p50: 1400, p95: 1500 });
    expect(model.totals.calls).toBe(14);
  });
});
