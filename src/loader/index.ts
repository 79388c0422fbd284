/**
 * The `--import` entry: `node --import ./loader <agent>` (repo) or `node --import agenttap/loader <agent>`.
 *
 * Runs before the agent's first line (Node awaits `--import` modules). Guards:
 *   - main thread only: the preload also runs in worker_threads (docs/preload.md#workers-and-children);
 *   - once per process, even if imported twice (ESM + CJS paths);
 *   - child processes that inherit the loader through NODE_OPTIONS join the parent's session, or stay
 *     inactive with `AGENTTAP_CHILDREN=off` (see src/log/session.ts).
 * Never writes to stdout, never throws into the agent. The one deliberate stop: an invalid config or rules file, reported
 * on stderr with file, field and fix, exits with code 78 (EX_CONFIG) before the agent starts.
 */
import { isMainThread } from 'node:worker_threads';
import { EXIT_CONFIG, isConfigError } from '../errors.js';
import { stderrLine } from '../stderr.js';
import { start } from './start.js';

const LOADED = Symbol.for('agenttap.loaded');
const g = globalThis as typeof globalThis & { [LOADED]?: boolean };

if (isMainThread && !g[LOADED]) {
  g[LOADED] = true;
  try {
    await start();
  } catch (err) {
    if (isConfigError(err)) {
      stderrLine(err.message);
      process.exit(EXIT_CONFIG);
    }
    stderrLine(`agenttap: not capturing this run: ${(err as Error)?.stack ?? String(err)}`);
  }
}
