/**
 * Runs a fixture app from tests/fixtures/apps against a mock, with fake credentials for both providers, and
 * collects the three views every capture test compares: the session log, what the SDK handed the app
 * (`$AGENT_OUT`, one `{scenario, result}` JSON line per call) and what the mock received.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { LogEvent } from '../../src/log/events.js';
import type { MockServer } from '../../src/mock/index.js';
import { ROOT, runNode, scratch, sessionEvents, type RunResult } from './run.js';

export const MODEL_PATHS = /^\/v1\/(messages(\/count_tokens)?|chat\/completions|responses)$/;

export interface SdkResult {
  scenario: string;
  result: Record<string, unknown>;
}

export interface SdkAppRun {
  run: RunResult;
  events: LogEvent[];
  results: SdkResult[];
  received: MockServer['received'];
}

/** The fake credentials every SDK app runs with: the secrets a test checks are absent from the log. */
export const FAKE_KEYS = { anthropic: `sk-ant-api03-${'x'.repeat(40)}`, openai: `sk-proj-${'y'.repeat(40)}` } as const;

export async function runSdkApp(
  app: string,
  mock: MockServer,
  options: { loader?: boolean; timeoutMs?: number } = {},
): Promise<SdkAppRun> {
  const loader = options.loader ?? true;
  mock.reset();
  const out = join(scratch(), 'sdk-results.ndjson');
  const run = await runNode(join(ROOT, 'tests/fixtures/apps', app), {
    loader,
    timeoutMs: options.timeoutMs ?? 20_000, // a safety net: a run takes about a second
    env: {
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: FAKE_KEYS.anthropic,
      OPENAI_BASE_URL: `${mock.url}/v1`,
      OPENAI_API_KEY: FAKE_KEYS.openai,
      AGENT_OUT: out,
    },
  });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const events = loader ? await sessionEvents(run.sessionDir) : [];
  const results = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as SdkResult);
  return { run, events, results, received: mock.received.filter((r) => MODEL_PATHS.test(r.path)) };
}
