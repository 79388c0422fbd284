/**
 * Every test run gets one private temporary folder as TMPDIR (set in vitest.config.ts, inherited by the test
 * workers and every agent they spawn), removed when the run ends: the suite makes ~5 000 scratch folders, and
 * leaving them in /tmp filled it run after run.
 */
import { rmSync } from 'node:fs';

export default function setup(): () => void {
  const dir = process.env.AGENTTAP_TEST_TMPDIR;
  return () => {
    if (dir && process.env.AGENTTAP_KEEP_TMP !== '1') rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
}
