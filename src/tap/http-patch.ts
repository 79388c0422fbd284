/**
 * Where the http/https tap sees each ClientRequest, on the agent's start-up path: synchronously, inside its
 * constructor, before the agent writes to it — without loading `node:https` (tls and crypto: ~8 ms of an agent's
 * start on Node 20, issue 13), and without replacing anything the agent can compare:
 *   - Node ≥ 22.14 (≥ 23.2): the `http.client.request.created` diagnostics channel, published at the end of the
 *     constructor — neither http nor https is loaded at start;
 *   - older Node: `agent.addRequest(req)`, the call a ClientRequest constructor ends with (lib/_http_client.js,
 *     Node 20; http.Agent's, which https.Agent inherits), patched from `_http_agent` alone (not node:http's parser,
 *     client and server modules), and not at start: when the agent may first use it (patchWhenUsed). Once a ClientRequest exists, `req.onSocket(socket)` too:
 *     the call a request without an agent (`createConnection`) or through an agent with its own `addRequest` makes.
 *     The process's first such request, before any ClientRequest went through http.Agent, shows `onSocket` is
 *     there to patch only once written (the `http.client.request.start` channel): it is not recorded (its body has
 *     gone out); the ones after it are. Loading `_http_client` at start to see it costs what node:http does.
 * What observing a model call needs (http.ts: exchanges, codecs, the recorder) loads at the first request the hook
 * recognises.
 */
import type { Agent, ClientRequest } from 'node:http';
import { createRequire } from 'node:module';
import type { Uninstall } from './context.js';

const STATE = Symbol.for('agenttap.http');
const requireHere = createRequire(import.meta.url);
const CREATED = 'http.client.request.created';
/** Node 20's channel, published when a request has been written (lib/_http_client.js `_finish`). */
const START = 'http.client.request.start';

type GlobalWithState = typeof globalThis & { [STATE]?: true };

/** Shown every request the agent makes through http/https, maybe more than once; must not throw. */
export type HttpHook = (req: ClientRequest) => void;

/** Node versions that publish `http.client.request.created` (added in 23.2.0 and 22.14.0). */
export function hasCreatedChannel(version = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 2) || (major === 22 && minor >= 14);
}

export function patchHttp(hook: HttpHook): Uninstall {
  const g = globalThis as GlobalWithState;
  if (g[STATE]) return () => {};
  g[STATE] = true;
  let installed = true;
  const seen = (req: ClientRequest) => {
    // Uninstalled while a patched prototype of ours is still wrapped by someone else: pass through (STYLE #9).
    if (installed) hook(req);
  };
  const unpatch = hasCreatedChannel() ? subscribe(seen) : patchWhenUsed(seen);
  return () => {
    installed = false;
    unpatch();
    delete g[STATE];
  };
}

function subscribe(hook: HttpHook): Uninstall {
  // Required here, not imported: on Node 20 (no channel) the loader's start does not load it (issue 13).
  const dc = requireHere('node:diagnostics_channel') as typeof import('node:diagnostics_channel');
  const onCreated = (message: unknown) => hook((message as { request: ClientRequest }).request);
  dc.subscribe(CREATED, onCreated);
  return () => dc.unsubscribe(CREATED, onCreated);
}

/** What names node:http's classes for `require` and `process.getBuiltinModule`. */
const HTTP_IDS = new Set(['http', 'https', 'node:http', 'node:https', '_http_agent', '_http_client']);

type Load = (request: unknown, ...rest: unknown[]) => unknown;

/**
 * Node < 22.14: the prototypes patched when the agent may first use them, not at start (loading `_http_agent`, net
 * and their modules is ~40% of the loader's start on Node 20, issue 13): at a CommonJS `require` of http or https
 * (or `process.getBuiltinModule`), synchronously, or else at the next turn of the event loop — before the first
 * module of an ESM agent runs, since loading it reads its file. So the agent's first line (a `-e` script, a
 * CommonJS main) runs before that cost, and an ESM agent's files are read while it is paid. Not seen: a request
 * made before that turn through a dynamic `import('node:http')` or from an ESM `-e` script.
 */
function patchWhenUsed(hook: HttpHook): Uninstall {
  const loadList = (process as { moduleLoadList?: string[] }).moduleLoadList;
  if (!loadList || loadList.includes('NativeModule _http_agent')) return patchPrototypes(hook);
  let unpatch: Uninstall | undefined;
  const now = () => {
    if (unpatch) return;
    unpatch = () => {}; // patchPrototypes' own require() comes back here
    stop();
    unpatch = patchPrototypes(hook);
  };
  const Module = requireHere('node:module') as { _load: Load };
  const load = Module._load;
  const watchLoad = function (this: unknown, request: unknown, ...rest: unknown[]) {
    if (!unpatch && typeof request === 'string' && HTTP_IDS.has(request)) now();
    return load.call(this, request, ...rest);
  };
  const proc = process as { getBuiltinModule?: Load };
  const getBuiltin = proc.getBuiltinModule;
  const watchBuiltin = function (this: unknown, id: unknown, ...rest: unknown[]) {
    if (!unpatch && typeof id === 'string' && HTTP_IDS.has(id)) now();
    return getBuiltin?.call(this, id, ...rest);
  };
  // unref: never what keeps a process alive.
  const turn = setImmediate(now).unref();
  Module._load = watchLoad;
  if (getBuiltin) proc.getBuiltinModule = watchBuiltin;
  function stop() {
    clearImmediate(turn);
    // Unhook politely: a wrapper someone put over ours stays (ours then passes through).
    if (Module._load === watchLoad) Module._load = load;
    if (getBuiltin && proc.getBuiltinModule === watchBuiltin) proc.getBuiltinModule = getBuiltin;
  }
  return () => {
    if (!unpatch) unpatch = () => {};
    stop();
    unpatch();
  };
}

function patchPrototypes(hook: HttpHook): Uninstall {
  // `_http_agent`, not node:http: http.Agent (https.Agent's parent) without the parser, ClientRequest and server
  // modules — on Node 20 about 40% less than loading node:http (issue 13). Same objects as node:http's.
  const agent = (requireHere('_http_agent') as typeof import('node:http')).Agent.prototype as Agent & {
    addRequest(req: ClientRequest, ...rest: unknown[]): void;
  };
  const addRequest = agent.addRequest;
  let unpatchLate: Uninstall | undefined;
  // `onSocket` once a ClientRequest exists (its module loaded by the agent): at the first request through an agent,
  // or the first one `http.client.request.start` publishes (once written: too late to record that one).
  const late = (req: ClientRequest) => {
    unpatchLate ??= patchOnSocket(hook);
    hook(req);
  };
  const wrappedAdd = function (this: Agent, req: ClientRequest, ...rest: unknown[]) {
    late(req);
    return addRequest.call(this, req, ...rest);
  };
  agent.addRequest = wrappedAdd;
  const dc = requireHere('node:diagnostics_channel') as typeof import('node:diagnostics_channel');
  const onStart = (message: unknown) => late((message as { request: ClientRequest }).request);
  dc.subscribe(START, onStart);
  return () => {
    // Unhook politely: a wrapper someone put over ours stays (ours then passes through).
    if (agent.addRequest === wrappedAdd) agent.addRequest = addRequest;
    dc.unsubscribe(START, onStart);
    unpatchLate?.();
  };
}

/** Requests made without an agent (`createConnection`), or through one whose `addRequest` is its own. */
function patchOnSocket(hook: HttpHook): Uninstall {
  const { ClientRequest } = requireHere('_http_client') as typeof import('node:http');
  const request = ClientRequest.prototype as ClientRequest & { onSocket(...args: unknown[]): void };
  const onSocket = request.onSocket;
  const wrappedOnSocket = function (this: ClientRequest, ...args: unknown[]) {
    hook(this);
    return onSocket.apply(this, args);
  };
  request.onSocket = wrappedOnSocket;
  return () => {
    if (request.onSocket === wrappedOnSocket) request.onSocket = onSocket;
  };
}

/** The URL a ClientRequest goes to, as the endpoint matcher reads it. */
export function requestUrl(req: ClientRequest): URL {
  const host = String(req.getHeader('host') ?? req.host);
  return new URL(`${req.protocol}//${host}${req.path}`);
}
