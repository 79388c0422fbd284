/**
 * Acceptance (issue 4): a real Claude Code 2.1.112 session recorded under the loader against the scripted
 * mock, then classified by `buildReport`. One agenttap session, three Claude Code processes:
 *
 *   1. the task, sent as stream-json on stdin (the only `-p` path that asks for a session title; see
 *      `titleRun`), with the first streamed main-loop answer cut mid-stream → the non-streaming fallback;
 *      Bash/Write/Edit/Read and an `Agent` sub-agent
 *   2. `/compact` (`-c`)
 *   3. a prompt whose first answer reports 190k input tokens → automatic compaction and the continuation
 *
 * The oracle is independent of src/mechanisms: the fixture's request classifier (tests/fixtures/claude-code,
 * written for issue 6 from the wire shapes) plus the `stream` flag, applied to each logged request body.
 * Not covered: the `HEAD /` warm-up — neither the fetch tap nor the proxy logs non-model calls (the
 * signature is tested on facts in tests/unit/mechanisms).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { parseRequest } from '../../../src/mock/request.js';
import { buildReport } from '../../../reports/model/build.js';
import type { ReportModel } from '../../../reports/model/types.js';
import {
  BIG_PROMPT,
  TASK_PROMPT,
  classifyClaudeCodeRequest,
  claudeCodeScript,
  claudeCodeUsage,
} from '../../fixtures/claude-code/script.js';
import {
  CLAUDE_CLI,
  DEFAULT_ALLOWED_TOOLS,
  claudeCodeEnv,
  prepareClaudeHome,
  runClaudeCode,
} from '../../helpers/claude-code.js';
import { LOADER, ROOT, eventsOf, scratch, sessionEvents, spawnBounded } from '../../helpers/run.js';

/**
 * The harness runs `-p <prompt>` with stdin closed; Claude Code 2.1.112 asks for a session title only for
 * prompts arriving as stream-json input, and only without CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC. Without
 * that variable other side traffic may try to leave: a dead proxy on 127.0.0.1:9 (NO_PROXY for the mock) makes
 * it fail locally. (A proxy variable also makes Claude Code skip its `HEAD /` warm-up.)
 */
function titleRun(
  mockUrl: string,
  home: string,
  cwd: string,
  sessionsDir: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    ...claudeCodeEnv(home, mockUrl),
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: undefined,
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1,localhost',
    AGENTTAP_DIR: sessionsDir,
    AGENTTAP_SESSION: 'cc',
    AGENTTAP_KEY_FILE: join(ROOT, 'tests', 'fixtures', 'redaction.key'),
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const args = [
    '--import',
    LOADER,
    CLAUDE_CLI,
    '-p',
    '--input-format',
    'stream-json',
    '--output-format',
    'stream-json',
    '--verbose',
    '--permission-mode',
    'acceptEdits',
    '--allowedTools',
    ...DEFAULT_ALLOWED_TOOLS,
  ];
  return spawnBounded(process.execPath, args, {
    cwd,
    env,
    timeoutMs: 60_000,
    stdin: `${JSON.stringify({ type: 'user', message: { role: 'user', content: TASK_PROMPT } })}\n`,
  });
}

const ORACLE: Record<string, string> = {
  title: 'session-title',
  compaction: 'compaction',
  subagent: 'sub-agent',
  continuation: 'post-compaction',
  main: 'main-loop',
};

describe('report: a real Claude Code 2.1.112 session', () => {
  let mock: MockServer;
  let sessionDir: string;
  let model: ReportModel;
  let expected: string[];
  let bodies: Record<string, unknown>[];

  beforeAll(async () => {
    let cut = 0;
    mock = await startMock({
      script: claudeCodeScript(),
      usage: claudeCodeUsage,
      // The first streamed answer to the task's second main-loop step breaks after 3 events.
      faults: [
        {
          kind: 'disconnect',
          afterEvents: 3,
          when: (req) => req.stream && classifyClaudeCodeRequest(req) === 'main' && req.turnIndex === 1 && cut++ === 0,
        },
      ],
    });
    try {
      const home = prepareClaudeHome();
      const cwd = scratch('agenttap-cc-work-');
      const sessionsDir = scratch('agenttap-cc-sessions-');
      sessionDir = join(sessionsDir, 'cc');
      const first = await titleRun(mock.url, home, cwd, sessionsDir);
      expect(first.code, first.stderr).toBe(0);
      for (const prompt of ['/compact', BIG_PROMPT]) {
        const r = await runClaudeCode({
          prompt,
          mockUrl: mock.url,
          via: 'loader',
          continueSession: true,
          cwd,
          home,
          sessionsDir,
          session: 'cc',
        });
        expect(r.code, r.stderr).toBe(0);
      }
    } finally {
      await mock.close();
    }
    model = await buildReport(sessionDir, {
      onWarning: (w) => {
        throw new Error(w);
      },
    });
    // The oracle, from the logged bodies in the report's order (time order of the requests).
    const requests = eventsOf(await sessionEvents(sessionDir), 'exchange.request');
    const byKey = new Map(requests.map((e) => [`${e.pid}/${e.exchange}`, e]));
    bodies = model.exchanges.map((r) => byKey.get(`${r.pid}/${r.id}`)!.body as Record<string, unknown>);
    expected = model.exchanges.map((r, i) => {
      const body = bodies[i];
      if (byKey.get(`${r.pid}/${r.id}`)!.endpoint === 'anthropic.warmup') return 'warm-up';
      // The non-streaming fallback is an attempt of the call whose stream broke: that call's mechanism (issue 16).
      const req = parseRequest({
        api: 'anthropic',
        n: 0,
        seq: 0,
        path: '/v1/messages',
        headers: {},
        body,
        bodyBytes: 0,
      });
      return ORACLE[classifyClaudeCodeRequest(req)] ?? 'other';
    });
  }, 180_000);

  test('every exchange gets the right mechanism', () => {
    expect(model.exchanges.map((r) => r.mechanism)).toEqual(expected);
    const count = (m: string) => expected.filter((x) => x === m).length;
    // One `HEAD /` per start — but not the title run, whose proxy variables make Claude Code skip it (docs/claude-code.md#mechanisms).
    expect(count('warm-up')).toBe(2);
    expect(count('session-title')).toBe(1);
    expect(count('non-streaming-fallback')).toBe(0);
    expect(model.exchanges.filter((r) => r.retryOf !== undefined).map((r) => [r.stream, r.signature])).toEqual([
      [false, expect.stringMatching(/non-streaming-fallback$/)],
    ]);
    expect(count('compaction')).toBe(2); // `/compact` and the automatic one
    expect(count('post-compaction')).toBeGreaterThanOrEqual(1);
    expect(count('sub-agent')).toBeGreaterThanOrEqual(2);
    expect(count('main-loop')).toBeGreaterThanOrEqual(6);
    expect(model.exchanges.every((r) => r.agent === 'claude-code' && r.agentVersion === '2.1.112')).toBe(true);
  });

  test('the fallback resends the broken streamed request', () => {
    const fallback = model.exchanges.find((r) => r.retryOf !== undefined)!;
    const broken = model.exchanges[fallback.parent!]!;
    expect(fallback.retryOf).toBe(broken.i);
    expect(fallback.attempt).toBe(2);
    expect(broken.attempts).toEqual([broken.i, fallback.i]);
    expect(fallback.mechanism).toBe(broken.mechanism);
    expect(broken.stream).toBe(true);
    expect(broken.outcome).not.toBe('complete');
    expect(fallback.parentMessages).toBe(fallback.context.count);
  });

  test("sub-agent threads hang off the main loop's Agent tool_use that started them", () => {
    const subThreads = model.threads.filter((t) => t.mechanism === 'sub-agent');
    expect(subThreads.length).toBeGreaterThanOrEqual(1);
    for (const t of subThreads) {
      const from = t.spawnedBy!;
      expect(from.tool).toBe('Agent');
      expect(model.exchanges[from.exchange]!.mechanism).toBe('main-loop');
      // The tool_use's prompt is the sub-agent's first user text, and the main loop answers that tool_use later.
      const first = model.exchanges[t.exchanges[0]!]!;
      expect(first.start).toBeGreaterThan(model.exchanges[from.exchange]!.start);
      const answered = bodies.some(
        (b, i) =>
          model.exchanges[i]!.thread === model.exchanges[from.exchange]!.thread &&
          JSON.stringify(b.messages).includes(`"tool_use_id":"${from.toolUseId}"`),
      );
      expect(answered).toBe(true);
      const firstText = JSON.stringify(bodies[first.i]!.messages);
      expect(firstText).toContain('and report its first item.');
    }
    // Every sub-agent exchange belongs to a spawned thread.
    for (const r of model.exchanges.filter((x) => x.mechanism === 'sub-agent'))
      expect(model.threads.find((t) => t.id === r.thread)!.spawnedBy).toBeDefined();
  });

  test('compactions restart the main thread', () => {
    const compactions = model.exchanges.filter((r) => r.mechanism === 'compaction').map((r) => r.i);
    const restarted = model.threads.filter((t) => t.compactedFrom).map((t) => t.compactedFrom!.exchange);
    expect(restarted.sort()).toEqual(compactions.sort());
    const automatic = model.exchanges.find((r) => r.mechanism === 'post-compaction')!;
    expect(model.threads.find((t) => t.id === automatic.thread)!.compactedFrom).toBeDefined();
    // The main line's context drops after each compaction.
    const line = model.mainLine.map((i) => model.exchanges[i]!);
    const after = line.findIndex((r) => r.mechanism === 'post-compaction');
    expect(line[after]!.context.messages).toBeLessThan(line[after - 1]!.context.messages);
  });
});
