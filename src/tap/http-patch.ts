/**
 * The http/https patch alone, on the agent's start-up path: wraps `request` and `get` of both modules and shows
 * each ClientRequest they return to a hook, synchronously, before the agent writes to it. What observing a model
 * call needs (http.ts: exchanges, codecs, the recorder) loads at the first request the hook recognises.
 */
import http, { type ClientRequest } from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import type { Uninstall } from './context.js';

const STATE = Symbol.for('agenttap.http');

type RequestFn = typeof http.request;
interface Patched {
  module: typeof http | typeof https;
  key: 'request' | 'get';
  original: RequestFn;
  wrapped: RequestFn;
}

type GlobalWithState = typeof globalThis & { [STATE]?: Patched[] };

/** Shown every request the agent makes through http/https; must not throw (wrap it in `safely`). */
export type HttpHook = (req: ClientRequest) => void;

export function patchHttp(hook: HttpHook): Uninstall {
  const g = globalThis as GlobalWithState;
  if (g[STATE]) return () => {};
  const patched: Patched[] = [];
  let installed = true;
  for (const module of [http, https]) {
    const request = module.request as (...a: unknown[]) => ClientRequest;
    const tapped = function (this: unknown, ...args: unknown[]) {
      const req = request.apply(this, args);
      // Uninstalled while someone else's wrapper still calls us: pass through, record nothing (STYLE #9).
      if (installed) hook(req);
      return req;
    };
    // Node's own `get` is `request(...)` then `req.end()` (lib/http.js, lib/https.js, unchanged since Node 10)
    // and calls its internal `request`: wrapping it from outside would see the request only after it ended,
    // with its body (and the request record) gone. So `get` is that, through the tapped request.
    const get = function (this: unknown, ...args: unknown[]) {
      const req = tapped.apply(this, args);
      req.end();
      return req;
    };
    for (const [key, wrapped] of [
      ['request', tapped],
      ['get', get],
    ] as const) {
      patched.push({ module, key, original: module[key] as RequestFn, wrapped: wrapped as RequestFn });
      module[key] = wrapped as RequestFn;
    }
  }
  g[STATE] = patched;
  // `import { request } from 'node:https'` binds to the ESM facade; this makes it see the wrapper.
  syncBuiltinESMExports();
  return () => {
    installed = false;
    for (const p of patched) if (p.module[p.key] === p.wrapped) p.module[p.key] = p.original;
    syncBuiltinESMExports();
    delete g[STATE];
  };
}

/** The URL a ClientRequest goes to, as the endpoint matcher reads it. */
export function requestUrl(req: ClientRequest): URL {
  const host = String(req.getHeader('host') ?? req.host);
  return new URL(`${req.protocol}//${host}${req.path}`);
}
