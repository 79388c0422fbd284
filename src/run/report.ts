/**
 * `--report` of `agenttap run` / `agenttap proxy --exec`: once the command has ended, `agenttap report <session>` in a
 * child process, its output on *our stderr* — stdout belongs to the agent (it may be a JSON protocol). Going through
 * the command rather than the report modules keeps run/proxy free of the report's imports and options.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// By the package's own name: src/run/ in the repo, dist/src/run/ once built.
const CLI = join(dirname(createRequire(import.meta.url).resolve('agenttap/package.json')), 'bin', 'agenttap.js');

export function reportToStderr(sessionDir: string): Promise<void> {
  if (!existsSync(sessionDir)) return Promise.resolve();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'report', sessionDir], { stdio: ['ignore', 2, 2] });
    child.once('error', (err) => {
      process.stderr.write(`agenttap: the report failed: ${err.message}\n`);
      resolve();
    });
    child.once('exit', () => resolve());
  });
}
