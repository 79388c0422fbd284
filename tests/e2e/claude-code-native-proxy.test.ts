/**
 * The current native Claude Code (npm @anthropic-ai/claude-code-linux-x64, a Bun binary no Node loader can enter)
 * under `agenttap proxy --exec`: the same task as the 2.1.112 test, without and with the proxy, each against its own
 * mock; then a paced stream, read by Claude Code itself (`--output-format stream-json --include-partial-messages`),
 * to show that the proxy hands each event on as it comes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { startMock, type ReceivedRequest } from '../../src/mock/index.js';
import {
  EDITED_LINE,
  FINAL_TASK_TEXT,
  TASK_PROMPT,
  claudeCodeScript,
  claudeCodeUsage,
} from '../fixtures/claude-code/script.js';
import {
  labelJoin,
  nativeClaudeCode,
  pacedStream,
  runClaudeCode,
  wireAndLogBodies,
  type ClaudeCodeResult,
  type Via,
} from '../helpers/claude-code.js';
import { allFileText, eventsOf, scratch, sessionEvents } from '../helpers/run.js';

// The package installs only on linux-x64 (its `os`/`cpu` fields); anywhere else there is nothing to run.
const supported = process.platform === 'linux' && process.arch === 'x64';

interface Sequence {
  steps: ClaudeCodeResult[];
  received: ReceivedRequest[];
  sessionDir: string;
}

async function sequence(via: Via, claude: string, env?: Record<string, string>): Promise<Sequence> {
  const mock = await startMock({ script: claudeCodeScript(), usage: claudeCodeUsage });
  try {
    const sessionsDir = scratch('agenttap-native-sessions-');
    const steps: ClaudeCodeResult[] = [];
    for (const [i, prompt] of [TASK_PROMPT, '/compact'].entries()) {
      steps.push(
        await runClaudeCode({
          prompt,
          mockUrl: mock.url,
          via,
          claude: [claude],
          continueSession: i > 0,
          cwd: steps[0]?.cwd,
          home: steps[0]?.home,
          sessionsDir,
          session: 'native',
          env,
        }),
      );
    }
    return { steps, received: [...mock.received], sessionDir: join(sessionsDir, 'native') };
  } finally {
    await mock.close();
  }
}

describe.runIf(supported)('native Claude Code under agenttap proxy --exec', () => {
  const claude = nativeClaudeCode();
  let plain: Sequence;
  let proxied: Sequence;
  const tmp = scratch('agenttap-native-proxy-tmp-');
  beforeAll(async () => {
    expect(claude, 'npm @anthropic-ai/claude-code-linux-x64 is a dev dependency: run npm ci').toBeDefined();
    plain = await sequence('plain', claude!);
    proxied = await sequence('proxy', claude!, { TMPDIR: tmp });
  }, 90_000);

  test('the task ran the same way: exit codes, stdout, files', () => {
    expect(proxied.steps.map((s) => s.code)).toEqual([0, 0]);
    expect(plain.steps.map((s) => s.code)).toEqual([0, 0]);
    expect(proxied.steps.map((s) => s.stdout)).toEqual(plain.steps.map((s) => s.stdout));
    expect(proxied.steps[0]!.stdout).toContain(FINAL_TASK_TEXT);
    expect(readFileSync(join(proxied.steps[0]!.cwd, 'notes', 'todo.md'), 'utf8')).toBe(`${EDITED_LINE}\n`);
  });

  test('one proxy record per model request, bodies equal after redaction, credentials passed on but never logged', async () => {
    const { wire, logged, layers } = await wireAndLogBodies(proxied.received, proxied.sessionDir);
    expect(wire.length).toBeGreaterThanOrEqual(8);
    expect(logged).toEqual(wire);
    expect(layers).toEqual(['proxy']);
    const events = await sessionEvents(proxied.sessionDir);
    expect(eventsOf(events, 'exchange.end').every((e) => e.outcome === 'complete')).toBe(true);
    // The key reached the mock through the proxy, and the log only as a placeholder.
    expect(
      proxied.received.every(
        (r) => r.method !== 'POST' || String(r.headers['x-api-key']).includes('agenttap-fake-key'),
      ),
    ).toBe(true);
    expect(allFileText(proxied.sessionDir)).not.toContain('agenttap-fake-key');
    for (const step of proxied.steps)
      expect(step.stderr).toMatch(/^agenttap: session .*native \(\d+ model calls?, \d+ process(es)?\)/m);
  });

  test("Claude Code's own labels joined to every proxied exchange by request id; its raw-body folder is gone", async () => {
    const events = await sessionEvents(proxied.sessionDir);
    const labels = eventsOf(events, 'exchange.label');
    // Once each; every exchange but, at most, the one each proxy (one per Claude Code run) ended last: Claude Code's
    // index may lose that line as `-p` exits (docs/claude-code.md#raw-body-dump).
    const joined = labelJoin(events);
    expect(joined.wrong).toEqual([]);
    expect(joined.unlabelled.filter((id) => !joined.lastEnded.includes(id))).toEqual([]);
    expect(new Set(labels.map((l) => l.label))).toEqual(new Set(['sdk', 'agent:builtin:general-purpose', 'compact']));
    expect(readdirSync(tmp).filter((n) => n.startsWith('agenttap-cc-raw-'))).toEqual([]);
  });

  test('streaming is not buffered: Claude Code sees the first delta before the mock sends the second', async () => {
    const { result, deltas, sent } = await pacedStream(claude!, 'proxy');
    expect(result.code).toBe(0);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(deltas.length).toBe(sent.length);
    // Each delta is on Claude Code's stdout before the mock writes the next one (150 ms later).
    for (let i = 0; i + 1 < sent.length; i++) expect(deltas[i]!).toBeLessThan(sent[i + 1]!);
  }, 60_000);
});
