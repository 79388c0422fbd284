/**
 * Threads through a trim (issue 16): a real `@anthropic-ai/sdk` tool loop (tests/fixtures/apps/long-session.mjs)
 * under the real loader with a `trimContext` rule that keeps two exchanges, against the mock. The log holds
 * the trimmed requests (the agent's history minus its oldest exchanges, the first message edited); the
 * report still shows one conversation: one thread, each trimmed request continuing the one before.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import type { ReportModel } from '../../reports/index.js';
import { ROOT, runNode, scratch } from '../helpers/run.js';

let mock: MockServer;
beforeAll(async () => {
  // A tool call every turn: the loop runs its full TURNS.
  mock = await startMock({ script: () => ({ toolUse: { name: 'read_file', input: { path: 'src/a.ts' } } }) });
});
afterAll(async () => mock?.close());

it('a conversation trimmed by the rules stays one thread', async () => {
  const rules = join(scratch(), 'rules.json');
  writeFileSync(
    rules,
    JSON.stringify({ rules: [{ id: 'trim', actions: [{ type: 'trimContext', keepExchanges: 2 }] }] }),
  );
  const run = await runNode(join(ROOT, 'tests', 'fixtures', 'apps', 'long-session.mjs'), {
    env: { ANTHROPIC_BASE_URL: mock.url, ANTHROPIC_API_KEY: 'sk-ant-test-0000', TURNS: '7', AGENTTAP_RULES: rules },
    timeoutMs: 60_000,
  });
  expect(run.code, run.stderr).toBe(0);

  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'agenttap.js'), 'report', run.sessionDir, '--json', '-'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.status, r.stderr).toBe(0);
  const model = JSON.parse(r.stdout) as ReportModel;
  const rows = model.exchanges;
  expect(rows).toHaveLength(7);
  // The rule trimmed the later requests (the first ones had too few exchanges to trim).
  const trimmed = rows.filter((x) => x.rewrite?.state === 'sent' && Array.isArray(x.rewrite.change.messages));
  expect(trimmed.length).toBeGreaterThanOrEqual(3);
  expect(model.threads).toHaveLength(1);
  expect(model.threads[0]!.exchanges).toEqual(rows.map((x) => x.i));
  for (const [k, x] of rows.slice(1).entries()) expect(x.parent, `#${x.i}`).toBe(k);
});
