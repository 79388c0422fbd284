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
 * The agent's base URL is the witness's loopback address; the records name the API the witness forwards to.
 */
import type { Config } from '../config/schema.js';
import type { TapContext, Uninstall } from '../tap/context.js';
import { installFetchTap } from '../tap/fetch.js';
import { ENV_WITNESS_TOKEN, ENV_WITNESS_UPSTREAM, ENV_WITNESS_URL, WITNESS_HEADER } from './witness-mark.js';

/** Tests only: install at once, as a bundle that changed its fetch would behave — the tap then sees nothing. */
export const ENV_INSTALL_NOW = 'AGENTTAP_TEST_BUN_INSTALL_NOW';

export async function bunTaps(
  ctx: TapContext,
  _config: Config,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Uninstall[]> {
  let uninstall: Uninstall = () => {};
  recordUpstreamUrls(ctx, env);
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

/**
 * The tap sees the witness's URL (`http://127.0.0.1:<port>/v1/messages`); the request goes on to the upstream
 * (`https://api.anthropic.com/v1/messages`), and that is what the log should say — as it does without agenttap's
 * witness in between. Only the recorded URL changes: endpoint matching and the request itself are untouched.
 */
function recordUpstreamUrls(ctx: TapContext, env: NodeJS.ProcessEnv): void {
  const base = env[ENV_WITNESS_URL];
  const upstream = env[ENV_WITNESS_UPSTREAM];
  if (!base || !upstream) return;
  const toUpstream = (url: string) => (url.startsWith(`${base}/`) ? `${upstream}${url.slice(base.length)}` : url);
  const recorder = ctx.recorder;
  ctx.recorder = {
    request: (r) => recorder.request({ ...r, url: toUpstream(r.url) }),
    response: (r) => recorder.response(r.url === undefined ? r : { ...r, url: toUpstream(r.url) }),
    end: (r) => recorder.end(r),
    rewrite: (r) => recorder.rewrite(r),
  };
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
