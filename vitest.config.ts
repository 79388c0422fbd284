import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// One temporary folder per run (removed by tests/global-tmp.ts; AGENTTAP_KEEP_TMP=1 keeps it for a post-mortem).
// Set before the workers start, so they and the agents they spawn inherit it.
if (!process.env.AGENTTAP_TEST_TMPDIR) {
  process.env.AGENTTAP_TEST_TMPDIR = mkdtempSync(join(tmpdir(), 'agenttap-vitest-'));
  process.env.TMPDIR = process.env.AGENTTAP_TEST_TMPDIR;
}

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'examples/**/*.test.mjs'],
    globalSetup: ['tests/global-tmp.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests spawn agents in child processes; 2 cores on CI.
    maxWorkers: 2,
  },
});
