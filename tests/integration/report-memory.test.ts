/**
 * Issue 13: a report's memory follows the exchange it looks at, not the session. The HTML report reads every added
 * message back from the log; the parsed ones it keeps (the blob cache) must stay small, or the heap V8 keeps grows
 * with them (a 1 GiB log peaked at 314 MiB RSS with a 32 MiB cache, 219 MiB with 8). Checked as a run that
 * completes with V8's old space capped at 32 MiB, on a 45 MiB log of 200 KB tool outputs.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSession } from '../../bench/report-generate.mjs';
import { AGENTTAP_BIN } from '../helpers/claude-code.js';
import { scratch, spawnBounded } from '../helpers/run.js';

describe('report memory', () => {
  it('--html on a 45 MiB log runs in a 32 MiB old space', async () => {
    const dir = scratch('agenttap-report-memory-');
    const gen = generateSession(join(dir, 's'), {
      turns: 1e9,
      toolBytes: 200_000,
      targetBytes: 45 << 20,
      subEvery: 10,
      compactEvery: 50,
    });
    const r = await spawnBounded(
      process.execPath,
      [
        '--max-old-space-size=32',
        AGENTTAP_BIN,
        'report',
        gen.file,
        '--html',
        join(dir, 'r.html'),
        '-q',
        '--no-progress',
      ],
      { env: process.env, timeoutMs: 120_000 },
    );
    expect(r.stderr).not.toContain('heap out of memory');
    expect(r.code).toBe(0);
  }, 180_000);
});
