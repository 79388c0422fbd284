// Replaying a recorded session in an agent's own test suite: "replay this recording and assert the agent still
// does X" — offline, no key, no tokens. Runs in agenttap's suite (npx vitest run examples/).
//
// In your suite: record once (`agenttap run -- node agent.mjs "task"` against the real API, or a mock), commit
// the session folder, and point `replaySession` at it. Here the recording is made in beforeAll against agenttap's
// mock, so the example runs anywhere.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { replaySession, startMock } from 'agenttap';
import { afterEach, beforeAll, expect, test } from 'vitest';

const run = promisify(execFile);
const AGENT = resolve(import.meta.dirname, 'anthropic-agent.mjs');
const TASK = 'What does notes.txt say?';
// The loader by URL: `--import` resolves a bare name from the agent's folder, where agenttap is not installed.
const LOADER = pathToFileURL(createRequire(import.meta.url).resolve('agenttap/loader')).href;

/** The agent in its own folder, with the given base URL; bounded in time. */
function agent(cwd, env, task = TASK, extra = [], file = AGENT) {
  return run(process.execPath, [...extra, file, task], {
    cwd,
    timeout: 30_000,
    env: {
      PATH: process.env.PATH,
      HOME: cwd,
      ANTHROPIC_API_KEY: 'sk-ant-test-not-a-real-key',
      OPENAI_API_KEY: 'sk-test-not-a-real-key',
      ...env,
    },
  });
}

function project() {
  const dir = mkdtempSync(join(tmpdir(), 'agent-project-'));
  writeFileSync(join(dir, 'notes.txt'), 'Ship the replay example.\n');
  return dir;
}

let recording;
let recordedAnswer;
beforeAll(async () => {
  // Record: the agent under agenttap's loader, against the mock (it reads notes.txt, then answers).
  const mock = await startMock({
    script: [{ toolUse: { name: 'read_file', input: { path: 'notes.txt' } } }, { text: 'It says: ship the example.' }],
  });
  const sessions = mkdtempSync(join(tmpdir(), 'agent-sessions-'));
  try {
    const { stdout } = await agent(
      project(),
      { ANTHROPIC_BASE_URL: mock.url, AGENTTAP_DIR: sessions, AGENTTAP_SESSION: 'recorded' },
      TASK,
      ['--import', LOADER],
    );
    recordedAnswer = stdout;
  } finally {
    await mock.close();
  }
  recording = join(sessions, 'recorded');
}, 60_000);

let replay;
afterEach(() => replay?.close());

test('the agent still reads notes.txt and gives the same answer, from the recording alone', async () => {
  const cwd = project();
  replay = await replaySession(recording, { cwd, timing: false, reportFile: false });
  const { stdout } = await agent(cwd, replay.env);
  expect(stdout).toBe(recordedAnswer);
  expect(stdout).toContain('[tool] read_file {"path":"notes.txt"}');
  expect(replay.misses).toEqual([]);
  expect(replay.hits).toHaveLength(2);
  expect(replay.unserved()).toEqual([]);
});

test('a changed agent is caught: the request that differs gets an API error (not retried) and a diff', async () => {
  const cwd = project();
  replay = await replaySession(recording, { cwd, timing: false, reportFile: false });
  const failed = await agent(cwd, replay.env, 'What does notes.md say?').catch((err) => err);
  expect(failed.code).not.toBe(0);
  expect(failed.stderr).toMatch(/400/);
  // The SDK (maxRetries: 2) did not retry the 400: one request, one miss.
  expect(replay.misses).toHaveLength(1);
  expect(replay.misses[0].fields).toEqual([expect.stringMatching(/notes\.\[-txt-\]\{\+md\+\}/)]);
});

test('the same with an OpenAI Chat Completions agent (streamed, with its usage chunk)', async () => {
  const openaiAgent = resolve(import.meta.dirname, 'openai-agent.mjs');
  const mock = await startMock({
    script: [{ toolUse: { name: 'read_file', input: { path: 'notes.txt' } } }, { text: 'It says: ship it.' }],
  });
  const sessions = mkdtempSync(join(tmpdir(), 'agent-sessions-'));
  let recorded;
  try {
    const env = { OPENAI_BASE_URL: `${mock.url}/v1`, AGENTTAP_DIR: sessions, AGENTTAP_SESSION: 'openai' };
    recorded = await agent(project(), env, TASK, ['--import', LOADER], openaiAgent);
  } finally {
    await mock.close();
  }
  const cwd = project();
  replay = await replaySession(join(sessions, 'openai'), { cwd, timing: false, reportFile: false });
  const { stdout } = await agent(cwd, replay.env, TASK, [], openaiAgent);
  expect(stdout).toBe(recorded.stdout);
  expect(replay.misses).toEqual([]);
  expect(replay.hits).toHaveLength(2);
});
