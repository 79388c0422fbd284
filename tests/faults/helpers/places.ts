/**
 * Odd places for a log: a real tmpfs that fills up (or is mounted read-only), made with mount(8) — the suite runs as
 * root in CI; elsewhere `canMount()` says why not and the cases that need it skip with that reason.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { scratch } from '../../helpers/run.js';

let probed: string | undefined | null = null;

/** undefined when tmpfs can be mounted here; else the reason it cannot. */
export function cannotMount(): string | undefined {
  if (probed !== null) return probed;
  try {
    const dir = mountTmpfs(['size=4k']);
    unmount(dir);
    probed = undefined;
  } catch (err) {
    probed = `cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]}); run as root to test a full or read-only disk`;
  }
  return probed;
}

/** A fresh tmpfs, `mount -t tmpfs -o <options>`; its path. */
export function mountTmpfs(options: string[]): string {
  const dir = join(scratch('agenttap-disk-'), 'mnt');
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', options.join(','), 'tmpfs', dir], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 10_000,
  });
  return dir;
}

export function unmount(dir: string): void {
  execFileSync('umount', ['-l', dir], { stdio: 'ignore', timeout: 10_000 });
  rmdirSync(dir);
}
