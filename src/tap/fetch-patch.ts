/**
 * The fetch patch alone: wraps `globalThis.fetch` and hands model calls to a handler, on the agent's start-up path.
 * It reads nothing that makes Node load undici (`globalThis.Response`, `Request`, `Headers` are lazy getters on
 * Node: touching one at start costs ~20–45 ms): the first fetch call loads it, as it would without agenttap. The
 * handler (fetch.ts: exchanges, codecs, the recorder) is built at the first call that `wants` it — the loader's
 * gate asks only "is this URL a model endpoint?" — so a process that never calls a model never loads it.
 */
import type { Uninstall } from './context.js';

const STATE = Symbol.for('agenttap.fetch');

/** Where a fetch call goes, as fetch reads it (fetchTarget). */
export type FetchTarget = { method: string; url: URL };

/** The handler; `target` when the hook has read it already (a URL is parsed once per call). */
type FetchFn = (input: RequestInfo | URL, init?: RequestInit, target?: FetchTarget) => Promise<Response>;

interface FetchState {
  original: typeof fetch;
  wrapped: typeof fetch;
}

type GlobalWithState = typeof globalThis & { [STATE]?: FetchState };

export interface FetchHook {
  /**
   * Whether this call goes to the handler — with its target when the hook read it; false sends it to the original
   * fetch untouched. Never throws.
   */
  wants(input: RequestInfo | URL, init: RequestInit | undefined): FetchTarget | boolean;
  /**
   * The handler around the original fetch, built once, synchronously — a model call sent just before
   * `process.exit()` must be recorded in the agent's own call. `undefined`: it cannot be built now: `load`.
   */
  handler(original: typeof fetch): FetchFn | undefined;
  /** The handler, loaded asynchronously (`undefined`: it failed to load; the call passes through). */
  load?(original: typeof fetch): Promise<FetchFn | undefined>;
}

export function patchFetch(hook: FetchHook): Uninstall {
  const g = globalThis as GlobalWithState;
  if (g[STATE] || typeof globalThis.fetch !== 'function') return () => {};
  const original = globalThis.fetch;
  let installed = true;
  // Built at the first call that wants it; null: it failed to load (said once by the hook), pass through.
  let handler: FetchFn | null | undefined;

  const wrapped = async function fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    // Uninstalled while someone else's wrapper still calls us: pass through, record nothing (STYLE #9).
    const wanted = installed && hook.wants(input, init);
    if (!wanted) return original(input, init);
    if (handler === undefined) {
      handler = hook.handler(original) ?? (await hook.load?.(original)) ?? null;
      // Read again after a wait: the agent's code ran meanwhile.
      return handler ? handler(input, init) : original(input, init);
    }
    return handler ? handler(input, init, wanted === true ? undefined : wanted) : original(input, init);
  } as typeof fetch;

  g[STATE] = { original, wrapped };
  globalThis.fetch = wrapped;
  return () => {
    // Unhook politely: if someone wrapped fetch after us, leave theirs in place (we then pass through).
    installed = false;
    if (globalThis.fetch === wrapped) globalThis.fetch = original;
    delete g[STATE];
  };
}

/**
 * The method and URL a fetch call goes to, as fetch itself reads them. A `Request` is recognised without reading
 * `globalThis.Request` when the input is a string or a URL (the common case), so nothing here loads undici.
 */
export function fetchTarget(input: RequestInfo | URL, init: RequestInit | undefined): FetchTarget {
  const request = typeof input === 'string' || input instanceof URL ? undefined : asRequest(input);
  const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
  return { method, url: new URL(request ? request.url : String(input)) };
}

function asRequest(input: unknown): Request | undefined {
  return input instanceof Request ? input : undefined;
}
