/**
 * The Bun preload entry: `BUN_OPTIONS="--preload=<agenttap>/bun" <native agent>` (set by `agenttap run` for a
 * Bun-compiled target). The same capture as the Node loader (activate() → src/capture/: config, session, recorder,
 * writer, rules, exit flush) with the Bun taps (./taps.ts). Bundled with its dependencies into one file
 * (dist/src/bun/preload.js): a compiled Bun binary resolves no bare import from disk, and would hand some of them its
 * own bundled copies (zod, sonic-boom) — verified on Claude Code 2.1.330.
 * Guards as the loader's: main thread only, once per process, never throws into the agent, stdout never.
 */
import { isMainThread } from 'node:worker_threads';
import { EXIT_CONFIG, isConfigError } from '../errors.js';
import { activate } from '../loader/activate.js';
// Static: the bundle has no `./writer.js` beside it for the exit path's synchronous load (capture/writer-loader.ts).
// Bun evaluates it with the preload; its code is in the one bundled file either way.
import * as writerModule from '../capture/writer.js';
import * as writerParts from '../capture/writer-parts.js';
import { bunTaps } from './taps.js';

const LOADED = Symbol.for('agenttap.loaded');
const g = globalThis as typeof globalThis & { [LOADED]?: boolean };

if (isMainThread && !g[LOADED]) {
  g[LOADED] = true;
  try {
    writerModule.useParts(writerParts); // no file beside the bundle to load them from on demand
    await activate({ installTaps: bunTaps, writerModule: () => writerModule });
  } catch (err) {
    if (isConfigError(err)) {
      process.stderr.write(`${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    try {
      process.stderr.write(`agenttap: not capturing this run: ${(err as Error)?.stack ?? String(err)}\n`);
    } catch {
      // stderr closed
    }
  }
}
