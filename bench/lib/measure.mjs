// What every benchmark script measures with: a fresh process timed from spawn to exit, the median, and
// baseline/subject pairs alternated so drift on the machine falls on both sides.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The `q` quantile of `xs` (0.5: the median), interpolated between the two values around it. */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.ceil(i)] - s[lo]) * (i - lo);
}

/** The median: for an even count, the mean of the two middle values (the upper one alone biased ratios of medians). */
export const median = (xs) => quantile(xs, 0.5);

/**
 * Runs `bin args` in a fresh process (async: a mock answering it may live in this process); resolves with its
 * wall time in ms and its stdout; rejects on a non-zero exit, or any stderr when `quiet` is asked for.
 */
export function timedProcess(bin, args, { env, cwd = root, timeoutMs = 120_000, quiet = false }) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(bin, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0 || (quiet && stderr !== ''))
        reject(new Error(`${bin} ${args.join(' ')}: exit ${code}, stderr: ${stderr}`));
      else resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, stdout });
    });
  });
}

/** Alternates baseline and subject `pairs` times; returns their medians and the median of the paired ratios. */
export async function paired(pairs, baseline, subject) {
  const b = [],
    s = [],
    ratios = [];
  for (let i = 0; i < pairs; i++) {
    if (i % 2) {
      s.push(await subject());
      b.push(await baseline());
    } else {
      b.push(await baseline());
      s.push(await subject());
    }
    ratios.push(s.at(-1) / b.at(-1));
  }
  return { baseline: median(b), subject: median(s), ratio: median(ratios) };
}
