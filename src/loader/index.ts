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
import { EXIT_CONFIG } from '../errors.js';
import { stderrLine } from '../stderr.js';
import { start } from './start.js';

const LOADED = Symbol.for('agenttap.loaded');
const g = globalThis as typeof globalThis & { [LOADED]?: boolean };

/**
 * `isMainThread` without loading node:worker_threads (on Node 20 it brings diagnostics_channel and the worker
 * modules: ~1–2 ms of the agent's start, issue 13). In a worker Node replaces `process.chdir` with a stub marked
 * `disabled` (lib/internal/bootstrap/switches/does_not_own_process_state.js, Node 20–26; checked by
 * tests/integration/preload-guards.test.ts, whose worker must never capture).
 */
const isMainThread = (process.chdir as { disabled?: boolean }).disabled !== true;

/**
 * A config or rules file that failed validation, by its code: the rules loader (a file of its own, loaded with
 * a rules file) throws its copy of AgentTapError, not the class bundled into this file (scripts/bundle-loader.mjs).
 */
const isConfigError = (err: unknown) => {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'AGENTTAP_CONFIG_INVALID' || code === 'AGENTTAP_RULES_INVALID';
};

if (isMainThread && !g[LOADED]) {
  g[LOADED] = true;
  try {
    await start();
  } catch (err) {
    if (isConfigError(err)) {
      stderrLine((err as Error).message);
      process.exit(EXIT_CONFIG);
    }
    stderrLine(`agenttap: not capturing this run: ${(err as Error)?.stack ?? String(err)}`);
  }
}
