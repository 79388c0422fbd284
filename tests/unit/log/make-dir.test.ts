/** The bounded mkdir (src/fs/make-dir.ts): ends on procfs, refuses a file in the way, tolerates a race, makes 0700. */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDir } from '../../../src/fs/make-dir.js';
import { scratch } from '../../helpers/run.js';

describe('makeDir', () => {
  it('fails at once under /proc, where a recursive mkdirSync loops forever', () => {
    const t0 = performance.now();
    expect(() => makeDir('/proc/agenttap-x/a/b')).toThrow(/ENOENT/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('makes every missing folder 0700 and leaves existing ones alone', () => {
    const root = scratch();
    mkdirSync(join(root, 'open'), { mode: 0o755 });
    makeDir(join(root, 'open', 'a', 'b'));
    expect(statSync(join(root, 'open')).mode & 0o777).toBe(0o755);
    expect(statSync(join(root, 'open', 'a')).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'open', 'a', 'b')).mode & 0o777).toBe(0o700);
    makeDir(join(root, 'open', 'a', 'b')); // already there: nothing to do
  });

  it('names a file in the way', () => {
    const root = scratch();
    writeFileSync(join(root, 'file'), '');
    expect(() => makeDir(join(root, 'file'))).toThrow(/ENOTDIR/);
    expect(() => makeDir(join(root, 'file', 'below'))).toThrow(/ENOTDIR/);
  });
});
