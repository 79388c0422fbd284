/**
 * `agenttap replay` with a real Claude Code 2.1.112 (issue 15): a session — the task (Bash mkdir, Write, Edit,
 * Read, a sub-agent through `Agent`), then `/compact` — recorded under the loader against the scripted mock, then
 * replayed with `agenttap replay --exec` in another folder and HOME, with no mock or upstream at all, Claude Code
 * itself again under the loader so the replay is captured too. Then a changed agent (one more word in the prompt)
 * under `--strict`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { startMock } from '../../src/mock/index.js';
import { Normaliser, SHIPPED } from '../../src/replay/normalise.js';
import { loadRecording, type RecordedExchange } from '../../src/replay/recording.js';
import { relocate } from '../../src/replay/render.js';
import {
  EDITED_LINE,
  FINAL_TASK_TEXT,
  TASK_PROMPT,
  claudeCodeScript,
  claudeCodeUsage,
} from '../fixtures/claude-code/script.js';
import {
  AGENTTAP_BIN,
  CLAUDE_CLI,
  DEFAULT_ALLOWED_TOOLS,
  claudeCodeEnv,
  prepareClaudeHome,
  runClaudeCode,
} from '../helpers/claude-code.js';
import { LOADER, ROOT, type Spawned, scratch, spawnBounded } from '../helpers/run.js';

const PROMPTS = [TASK_PROMPT, '/compact'];
const KEY_FILE = join(ROOT, 'tests', 'fixtures', 'redaction.key');

interface Replayed {
  steps: Spawned[];
  /** `replay-report.txt` after each step (each replay rewrites it). */
  reports: string[];
  cwd: string;
  sessionDir: string;
}

/** `agenttap replay <recording> [...flags] --exec -- node --import loader cli.js -p <prompt>`, prompt by prompt. */
async function replay(recording: string, prompts: string[], flags: string[] = []): Promise<Replayed> {
  const cwd = scratch('agenttap-cc-replay-work-');
  const home = prepareClaudeHome();
  const sessions = scratch('agenttap-cc-replay-sessions-');
  const steps: Spawned[] = [];
  const reports: string[] = [];
  for (const [i, prompt] of prompts.entries()) {
    const claude = [
      process.execPath,
      '--import',
      LOADER,
      CLAUDE_CLI,
      '-p',
      prompt,
      ...(i > 0 ? ['-c'] : []),
      '--permission-mode',
      'acceptEdits',
      '--allowedTools',
      ...DEFAULT_ALLOWED_TOOLS,
    ];
    const env = {
      PATH: process.env.PATH,
      // Nothing listens there: every model call has to be answered by the replay (which --exec points it at).
      ...claudeCodeEnv(home, 'http://127.0.0.1:9'),
      AGENTTAP_DIR: sessions,
      AGENTTAP_SESSION: 'replayed',
      AGENTTAP_KEY_FILE: KEY_FILE,
    };
    steps.push(
      await spawnBounded(process.execPath, [AGENTTAP_BIN, 'replay', recording, ...flags, '--exec', '--', ...claude], {
        cwd,
        env,
        timeoutMs: 60_000,
      }),
    );
    reports.push(readFileSync(join(recording, 'replay-report.txt'), 'utf8'));
  }
  return { steps, reports, cwd, sessionDir: join(sessions, 'replayed') };
}

/** A session's requests and responses, normalised as replay compares them, response paths moved to `<cwd>`. */
async function comparable(sessionDir: string): Promise<{ requests: string[]; responses: string[] }> {
  const normaliser = new Normaliser(SHIPPED);
  const list = await loadRecording(sessionDir);
  const side = (x: RecordedExchange) => ({ headers: x.requestHeaders, cwd: x.cwd });
  const requests = list.map((x) =>
    JSON.stringify(normaliser.apply({ ...(x.body as object), stream: undefined }, side(x)).value),
  );
  const responses = list.map((x) => JSON.stringify(relocate(x.end?.body, x.cwd, '<cwd>') ?? null));
  return { requests: requests.sort(), responses: responses.sort() };
}

describe('Claude Code 2.1.112 replayed from its recording', () => {
  let recordingDir: string;
  let recordedCwd: string;
  let recordedStdout: string[];
  let replayed: Replayed;
  beforeAll(async () => {
    const mock = await startMock({ script: claudeCodeScript(), usage: claudeCodeUsage });
    try {
      const sessionsDir = scratch('agenttap-cc-sessions-');
      recordedStdout = [];
      let first: { cwd: string; home: string } | undefined;
      for (const [i, prompt] of PROMPTS.entries()) {
        const r = await runClaudeCode({
          prompt,
          mockUrl: mock.url,
          via: 'loader',
          continueSession: i > 0,
          cwd: first?.cwd,
          home: first?.home,
          sessionsDir,
          session: 'recorded',
        });
        expect(r.code, r.stderr).toBe(0);
        first ??= r;
        recordedStdout.push(r.stdout);
      }
      recordingDir = join(sessionsDir, 'recorded');
      recordedCwd = first!.cwd;
    } finally {
      await mock.close();
    }
    replayed = await replay(recordingDir, PROMPTS);
  }, 240_000);

  test('Claude Code completes the task from the replay alone: same exit, same output, same files', () => {
    expect(
      replayed.steps.map((s) => s.code),
      replayed.steps.map((s) => s.stderr).join('\n'),
    ).toEqual([0, 0]);
    expect(replayed.steps[0]!.stdout).toContain(FINAL_TASK_TEXT);
    expect(replayed.steps.map((s) => s.stdout)).toEqual(recordedStdout);
    expect(replayed.cwd).not.toBe(recordedCwd);
    expect(readFileSync(join(replayed.cwd, 'notes', 'todo.md'), 'utf8')).toBe(`${EDITED_LINE}\n`);
  });

  test('every request matched: the warm-up, the main loop, the sub-agent and the compaction', async () => {
    for (const step of replayed.steps) {
      expect(step.stderr).not.toContain('miss:');
      expect(step.stderr).toMatch(/agenttap replay: (\d+) requests matched \(\d+ after normalisation\), 0 missed/);
    }
    const recorded = await loadRecording(recordingDir);
    const asked = replayed.steps
      .map((s) => Number(/(\d+) requests matched/.exec(s.stderr)?.[1]))
      .reduce((a, b) => a + b, 0);
    expect(asked).toBe(recorded.length);
    const kinds = new Set(recorded.map((r) => r.endpoint));
    expect(kinds).toEqual(new Set(['anthropic.warmup', 'anthropic.messages']));
    const reports = replayed.reports.join('\n');
    expect(reports).toMatch(/after normalisation: .*working directory/);
    for (const mechanism of ['main-loop', 'sub-agent', 'compaction'])
      expect(reports).toMatch(new RegExp(`→ recorded \\d+ \\(claude-code\\.${mechanism}\\)`));
  });

  test('a capture of the replay equals the recording, modulo the normalised parts', async () => {
    const recorded = await comparable(recordingDir);
    const captured = await comparable(replayed.sessionDir);
    expect(captured.requests.length).toBe(recorded.requests.length);
    expect(captured.requests).toEqual(recorded.requests);
    expect(captured.responses).toEqual(recorded.responses);
  });

  test('a changed agent (one more word in its prompt) under --strict fails with a diff naming that word', async () => {
    const changed = await replay(recordingDir, [TASK_PROMPT.replace('Set up', 'Set up quickly')], ['--strict']);
    const step = changed.steps[0]!;
    expect(step.code).toBe(1);
    expect(step.stderr).toMatch(/miss: request \d+ .* matches no recorded request/);
    expect(step.stderr).toMatch(/nearest: recorded request \d+/);
    expect(step.stderr).toMatch(/\{\+ ?quickly ?\+\}/);
    expect(step.stderr).toContain('--strict: stopped the command at the first miss');
    expect(existsSync(join(changed.cwd, 'notes', 'todo.md'))).toBe(false);
  });
});
