/**
 * The taps of the Bun preload (native Claude Code ≥ 2.1.113, a Bun-compiled binary: docs/preload.md#bun-binaries, docs/claude-code.md#bun-preload, docs/claude-code.md#preload-fetch-timing).
 *
 *   preload runs ─► activate() ─► bunTaps: schedules the install, returns
 *   Bun loads the bundle        (the bundle keeps what `globalThis.fetch` was while it loads: a wrapper
 *                                installed now would see nothing — verified on 2.1.330)
 *   setImmediate ─► globalThis.fetch = fetch tap ─► witness mark ─► Bun's fetch
 *
 * Only fetch: the http tap and the SDK layer have nothing to hook in a compiled bundle. Whether the deferred
 * install really sees the model calls depends on the bundle's internals, so it is never assumed: `agenttap run`
 * puts a witness proxy behind it (src/run/witness.ts), and the mark tells the witness which requests the tap
 * recorded. The mark goes only to the witness's own URL, and the witness strips it before forwarding.
 */
import type { Config } from '../config/schema.js';
import type { TapContext, Uninstall } from '../tap/context.js';
import { installFetchTap } from '../tap/fetch.js';
import { ENV_WITNESS_TOKEN, ENV_WITNESS_URL, WITNESS_HEADER } from './witness-mark.js';

/** Tests only: install at once, as a bundle that changed its fetch would behave — the tap then sees nothing. */
export const ENV_INSTALL_NOW = 'AGENTTAP_TEST_BUN_INSTALL_NOW';

export async function bunTaps(ctx: TapContext, _config: Config, env: NodeJS.ProcessEnv = process.env): Promise<Uninstall[]> {
  let uninstall: Uninstall = () => {};
  const install = () => {
    const unmark = markForWitness(env);
    const untap = installFetchTap(ctx);
    uninstall = () => {
      untap();
      unmark();
    };
  };
  if (env[ENV_INSTALL_NOW] === '1') install();
  else setImmediate(install);
  return [() => uninstall()];
}

/** Below the tap: requests to the witness get its header, so it knows they were recorded here. */
function markForWitness(env: NodeJS.ProcessEnv): Uninstall {
  const base = env[ENV_WITNESS_URL];
  const token = env[ENV_WITNESS_TOKEN];
  if (!base || !token) return () => {};
  const original = globalThis.fetch;
  const marked = function fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = input instanceof Request ? input : undefined;
    if (!(request ? request.url : String(input)).startsWith(`${base}/`)) return original(input, init);
    const headers = new Headers(init?.headers ?? request?.headers);
    headers.set(WITNESS_HEADER, token);
    return original(input, { ...init, headers });
  } as typeof fetch;
  globalThis.fetch = marked;
  return () => {
    if (globalThis.fetch === marked) globalThis.fetch = original;
  };
}
