/**
 * Agents resend everything every turn; the log must grow with new content, not with turns². A 50-turn
 * session's log is compared with the same records written as full requests (`agenttap cat --full`).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { ROOT, runNode } from '../helpers/run.js';

let mock: MockServer;
beforeAll(async () => {
  // 49 tool round-trips, then an answer: 50 model calls.
  mock = await startMock({
    script: Array.from({ length: 49 }, (_, i) => ({
      toolUse: { name: 'read_file', input: { path: `src/module-${i}.ts` } },
    })),
  });
});
afterAll(() => mock.close());

describe('log size', () => {
  it.each([
    ['an SDK agent', {}],
    ['Claude Code’s shape: cache_control moves to the newest message every turn', { MOVE_CACHE: '1' }],
  ])('a 50-turn session logs at least 10× smaller than its full requests (%s)', async (_name, extra) => {
    mock.reset();
    const run = await runNode(join(ROOT, 'tests/fixtures/apps/long-session.mjs'), {
      env: { ANTHROPIC_BASE_URL: mock.url, ANTHROPIC_API_KEY: 'sk-ant-test', TURNS: '50', ...extra },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(mock.received.length).toBe(50);
    const logBytes = readdirSync(run.sessionDir).reduce((n, f) => n + statSync(join(run.sessionDir, f)).size, 0);
    const full = execFileSync(process.execPath, [join(ROOT, 'bin/agenttap.js'), 'cat', '--full', run.sessionDir], {
      maxBuffer: 1 << 30,
    });
    const wireBytes = mock.received.reduce((n, r) => n + r.rawBody.byteLength, 0);
    expect(full.byteLength).toBeGreaterThan(wireBytes); // the full records hold every request
    expect(full.byteLength / logBytes).toBeGreaterThanOrEqual(10);
  });
});
