/**
 * Every test run gets one private temporary folder as TMPDIR (set in vitest.config.ts, inherited by the test
 * workers and every agent they spawn), removed when the run ends: the suite makes ~5 000 scratch folders, and
 * leaving them in /tmp filled it run after run.
 */
import { rmSync } from 'node:fs';

export default function setup(): () => void {
  const dir = process.env.AGENTTAP_TEST_TMPDIR;
  return () => {
    if (!dir || process.env.AGENTTAP_KEEP_TMP === '1') return;
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch (err) {
      // Cleaning up must never fail the run (e.g. a tmpfs a failed fault case left mounted: EBUSY).
      process.stderr.write(`tests: left ${dir} (${(err as Error).message})\n`);
    }
  };
}
