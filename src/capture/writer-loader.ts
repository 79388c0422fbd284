/**
 * When and how the log writer (pino, secretlint: 150–400 ms of module loading) is loaded inside an agent:
 *   - only once the process has a record to write (its first model call or warning): a helper the agent spawns that
 *     calls no model loads nothing, writes nothing, prints nothing;
 *   - when the caller says (activate.ts: in a pause of the model traffic, so the load never delays a streamed
 *     chunk), one macrotask later, off the agent's call stack;
 *   - synchronously, with require() of the compiled ESM where Node has it (`process.features.require_module`: Node
 *     ≥ 20.19 and ≥ 22.12), so that an exit or a signal that comes first loads it right there and writes the queue in
 *     order — `exit` runs no promise. No ExperimentalWarning reaches stderr on Node 20.20, 22.23, 24.22 (tested). One
 *     code path, no race between a background import() and an exit-time require() of the same module.
 *   - elsewhere, import() in the background; an exit that comes first loses the queue, with one line on stderr.
 */
import { createRequire } from 'node:module';
import type { Writer } from '../log/recorder.js';

export type WriterModule = typeof import('./writer.js');

const requireHere = createRequire(import.meta.url);
const REQUIRE_ESM = (process.features as { require_module?: boolean }).require_module === true;

export interface WriterLoader {
  /** The writer, once loaded. */
  readonly writer: Writer | undefined;
  /** Whether `start` was called (the load is under way or done). */
  readonly started: boolean;
  /** Starts loading on the next turn of the event loop (idempotent). */
  start(): void;
  /** The writer, loaded now if it was not yet and can be (exit, signals). */
  now(): Writer | undefined;
}

/**
 * `module`: how to get the writer module synchronously. By default require() of `./writer.js` beside this file where
 * Node has require(esm); the Bun preload is one bundled file with no `./writer.js` beside it, and hands its own.
 */
export function writerLoader(
  make: (module: WriterModule) => Writer,
  notify: (message: string) => void,
  module: (() => WriterModule) | undefined = REQUIRE_ESM ? () => requireHere('./writer.js') as WriterModule : undefined,
): WriterLoader {
  let writer: Writer | undefined;
  let started = false;
  let failed = false;
  const fail = (err: unknown) => {
    failed = true;
    notify(`agenttap: the log writer failed to load (${(err as Error)?.message ?? String(err)}); nothing is recorded`);
  };
  const loadSync = () => {
    if (writer || failed) return;
    try {
      writer = make(module!());
    } catch (err) {
      fail(err);
    }
  };
  return {
    get writer() {
      return writer;
    },
    get started() {
      return started;
    },
    start() {
      if (started) return;
      started = true;
      setImmediate(() => {
        if (module) loadSync();
        // Without require(esm) the writer's heavy parts cannot load on demand: handed over now.
        else
          Promise.all([import('./writer.js'), import('./writer-parts.js')]).then(([module, parts]) => {
            module.useParts(parts);
            writer ??= make(module);
          }, fail);
      }).unref();
    },
    now() {
      if (module) loadSync();
      return writer;
    },
  };
}
