/**
 * The door between the start-up path and the capture. At start only the patches are in place (fetch-patch.ts,
 * http-patch.ts) with the endpoint matcher; the first request the matcher recognises opens the gate: the capture
 * (recorder, exchanges, codecs: ./full.ts and what it imports) loads then, never in a process that calls no model.
 *
 *   - `now()`: synchronously, with require() of the compiled ESM where Node has it (`process.features.require_module`:
 *     Node ≥ 20.19, ≥ 22.12) — the http tap must see the ClientRequest before the agent writes its body;
 *   - `load()`: import(), for the fetch tap (its call is async anyway) where require() of ESM is missing. There the
 *     loader opens the gate at start instead (start.ts), so the http tap is never without it.
 * A failure to load says so once on stderr; the agent's requests then go through untouched.
 */
import { createRequire } from 'node:module';
import type { EndpointMatch } from '../exchange/endpoints.js';
import { stderrLine } from '../stderr.js';
import type { Full } from './full.js';
import type { Prepared } from './prepare.js';

type FullModule = typeof import('./full.js');

const requireHere = createRequire(import.meta.url);
const REQUIRE_ESM = (process.features as { require_module?: boolean }).require_module === true;

export interface Gate {
  /** Whether `now()` can open it (require() of ESM). */
  readonly sync: boolean;
  /** The capture, loaded now if it was not (undefined: it cannot load synchronously here, or it failed). */
  now(): Full | undefined;
  /** The capture, loaded with import() if it was not (undefined: it failed). */
  load(): Promise<Full | undefined>;
  /** Calls `fn` with the capture once it is open (at once if it is). */
  whenOpen(fn: (full: Full) => void): void;
}

export function createGate(
  prepared: Prepared,
  matchEndpoint: (method: string, url: URL) => EndpointMatch | null,
): Gate {
  let full: Full | undefined;
  let failed = false;
  const waiting: ((full: Full) => void)[] = [];
  const open = (module: FullModule) => {
    if (full) return full;
    const opened = module.openFull(prepared, matchEndpoint);
    full = opened;
    for (const fn of waiting.splice(0)) fn(opened);
    return opened;
  };
  const fail = (err: unknown) => {
    if (!failed) stderrLine(`agenttap: not capturing this run: ${(err as Error)?.stack ?? String(err)}`);
    failed = true;
    return undefined;
  };
  return {
    sync: REQUIRE_ESM,
    now() {
      if (full || failed || !REQUIRE_ESM) return full;
      try {
        return open(requireHere('./full.js') as FullModule);
      } catch (err) {
        return fail(err);
      }
    },
    async load() {
      if (full || failed) return full;
      try {
        return open(await import('./full.js'));
      } catch (err) {
        return fail(err);
      }
    },
    whenOpen(fn) {
      if (full) fn(full);
      else waiting.push(fn);
    },
  };
}
