/**
 * Retries in the report (issue 16): a real `@anthropic-ai/sdk` under the real loader against the mock, one
 * call answered 429 once (the SDK retries it), one whose stream is cut (the app re-sends it without
 * `stream`, as Claude Code's non-streaming fallback does). The report shows two exchanges, each with its
 * attempts: the later attempts carry the first attempt's mechanism and point back to it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import type { ReportModel } from '../../reports/index.js';
import { ROOT, runNode } from '../helpers/run.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock({
    finalText: 'ok',
    faults: [
      { kind: 'status', status: 429, retryAfter: 0, on: [1] },
      { kind: 'disconnect', afterEvents: 3, on: [3] },
    ],
  });
});
afterAll(async () => mock?.close());

it('a 429 retry and a resend after a cut stream are attempts of one exchange, with its mechanism', async () => {
  const run = await runNode(join(ROOT, 'tests', 'fixtures', 'apps', 'retries.mjs'), {
    env: { ANTHROPIC_BASE_URL: mock.url, ANTHROPIC_API_KEY: 'sk-ant-test-0000' },
    timeoutMs: 30_000,
  });
  expect(run.code, run.stderr).toBe(0);
  expect(mock.received.filter((r) => r.path === '/v1/messages')).toHaveLength(4);

  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'agenttap.js'), 'report', run.sessionDir, '--json', '-'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.status, r.stderr).toBe(0);
  const model = JSON.parse(r.stdout) as ReportModel;
  const rows = model.exchanges;
  expect(rows.map((x) => [x.status, x.stream, x.retryOf, x.attempt])).toEqual([
    [429, false, undefined, undefined],
    [200, false, 0, 2],
    [200, true, undefined, undefined],
    [200, false, 2, 2],
  ]);
  expect(rows[0]!.attempts).toEqual([0, 1]);
  expect(rows[2]!.attempts).toEqual([2, 3]);
  for (const [retry, first] of [
    [1, 0],
    [3, 2],
  ] as const) {
    expect(rows[retry]!.mechanism).toBe(rows[first]!.mechanism);
    expect(rows[retry]!.reasons[0]).toContain(`of #${first}`);
  }
  // Two exchanges, two retries: per mechanism and in total.
  expect(model.totals).toMatchObject({ calls: 2, retries: 2 });
  expect(model.mechanisms.reduce((n, m) => n + m.calls, 0)).toBe(2);
  expect(model.mechanisms.reduce((n, m) => n + m.retries, 0)).toBe(2);
});
