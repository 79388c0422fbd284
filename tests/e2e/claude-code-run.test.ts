/**
 * Real Claude Code 2.1.112 (the last `cli.js`) under `agenttap run`, against the scripted mock: one session of three
 * prompts — the task (Bash mkdir, Write, Edit, Read, a sub-agent through `Agent`), `/compact`, and a prompt whose
 * first answer reports 190k input tokens (automatic compaction, then a continuation) — run once without agenttap and
 * once under it, each against its own mock. The last run under agenttap has `--report`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { startMock, type MockServer, type ReceivedRequest } from '../../src/mock/index.js';
import { parseRequest } from '../../src/mock/request.js';
import {
  BIG_PROMPT,
  EDITED_LINE,
  FINAL_TASK_TEXT,
  TASK_PROMPT,
  classifyClaudeCodeRequest,
  claudeCodeScript,
  claudeCodeUsage,
  type ClaudeCodeCall,
} from '../fixtures/claude-code/script.js';
import { runClaudeCode, wireAndLogBodies, type ClaudeCodeResult, type Via } from '../helpers/claude-code.js';
import { allFileText, eventsOf, scratch, sessionEvents } from '../helpers/run.js';

interface Sequence {
  steps: ClaudeCodeResult[];
  received: ReceivedRequest[];
  sessionDir: string;
  ms: number;
}

const PROMPTS = [TASK_PROMPT, '/compact', BIG_PROMPT];

async function sequence(via: Via): Promise<Sequence> {
  const mock: MockServer = await startMock({ script: claudeCodeScript(), usage: claudeCodeUsage });
  try {
    const sessionsDir = scratch('agenttap-cc-sessions-');
    const steps: ClaudeCodeResult[] = [];
    const t0 = performance.now();
    for (const [i, prompt] of PROMPTS.entries()) {
      const prev = steps[0];
      steps.push(
        await runClaudeCode({
          prompt,
          mockUrl: mock.url,
          via,
          continueSession: i > 0,
          cwd: prev?.cwd,
          home: prev?.home,
          sessionsDir,
          session: 'cc',
          // The last prompt's run reports on the whole session (all three processes).
          agenttapArgs: i === PROMPTS.length - 1 ? ['--report'] : [],
        }),
      );
    }
    return { steps, received: [...mock.received], sessionDir: join(sessionsDir, 'cc'), ms: performance.now() - t0 };
  } finally {
    await mock.close();
  }
}

function calls(received: ReceivedRequest[]): ClaudeCodeCall[] {
  return received
    .filter((r) => r.method === 'POST' && r.path === '/v1/messages')
    .map((r) =>
      classifyClaudeCodeRequest(
        parseRequest({
          api: 'anthropic',
          n: 0,
          seq: r.seq,
          path: r.path,
          headers: r.headers,
          body: r.body,
          bodyBytes: r.rawBody.length,
        }),
      ),
    );
}

describe('Claude Code 2.1.112 under agenttap run', () => {
  let plain: Sequence;
  let run: Sequence;
  beforeAll(async () => {
    plain = await sequence('plain');
    run = await sequence('run');
    process.stderr.write(
      `claude-code-run: plain ${plain.ms.toFixed(0)} ms, agenttap run ${run.ms.toFixed(0)} ms (3 prompts each)\n`,
    );
  }, 90_000);

  test('the scripted task ran: files, sub-agent, manual and automatic compaction, continuation', () => {
    for (const s of [plain, run]) {
      expect(readFileSync(join(s.steps[0]!.cwd, 'notes', 'todo.md'), 'utf8')).toBe(`${EDITED_LINE}\n`);
      const seen = calls(s.received);
      expect(seen.filter((c) => c === 'main').length).toBeGreaterThanOrEqual(6);
      expect(seen).toContain('subagent');
      expect(seen.filter((c) => c === 'compaction')).toHaveLength(2); // /compact and the automatic one
      expect(seen).toContain('continuation');
    }
  });

  test("Claude Code's stdout and exit codes are the same as without agenttap", () => {
    expect(run.steps.map((s) => s.code)).toEqual([0, 0, 0]);
    expect(run.steps.map((s) => s.stdout)).toEqual(plain.steps.map((s) => s.stdout));
    expect(plain.steps.map((s) => s.code)).toEqual([0, 0, 0]);
    expect(run.steps[0]!.stdout).toContain(FINAL_TASK_TEXT);
  });

  test('the log holds one record per model request, each body as the mock received it (after redaction)', async () => {
    const { wire, logged, layers } = await wireAndLogBodies(run.received, run.sessionDir);
    expect(logged.length).toBe(wire.length);
    expect(logged).toEqual(wire);
    // Claude Code bundles its SDK: only the fetch tap sees its traffic (docs/sdk-layer.md#bundled-sdks).
    expect(layers).toEqual(['fetch']);
    const events = await sessionEvents(run.sessionDir);
    expect(eventsOf(events, 'exchange.end').every((e) => e.outcome === 'complete')).toBe(true);
    // Three prompts, three processes, one session.
    expect(new Set(eventsOf(events, 'session.start').map((e) => e.pid)).size).toBe(3);
  });

  test('--report names the main loop, the sub-agent, the compactions and the continuation (on stderr)', () => {
    const report = run.steps.at(-1)!.stderr;
    expect(report).toMatch(/agenttap report: .*claude-code 2\.1\.112/);
    expect(report).toMatch(/^Main agent loop +\d+/m);
    expect(report).toMatch(/^Sub-agent +2 /m);
    expect(report).toMatch(/^Compaction[^\n]* +2 /m);
    expect(report).toMatch(/^Post-compaction continuation +1 /m);
    expect(run.steps[0]!.stderr).not.toContain('agenttap report');
  });

  test('agenttap run says where the session went, on stderr, and the API key never reaches the log', () => {
    for (const step of run.steps)
      expect(step.stderr).toMatch(/^agenttap: session .*cc \(\d+ model calls?, \d+ process(es)?\)/m);
    expect(allFileText(run.sessionDir)).not.toContain('agenttap-fake-key');
  });
});
