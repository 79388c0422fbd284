/**
 * Where the http/https tap sees each ClientRequest, on the agent's start-up path: synchronously, inside its
 * constructor, before the agent writes to it — without loading `node:https` (tls and crypto: ~8 ms of an agent's
 * start on Node 20, issue 13), and without replacing anything the agent can compare:
 *   - Node ≥ 22.14 (≥ 23.2): the `http.client.request.created` diagnostics channel, published at the end of the
 *     constructor — neither http nor https is loaded at start;
 *   - older Node: the two calls every ClientRequest constructor ends with (lib/_http_client.js, Node 20):
 *     `agent.addRequest(req)` (http.Agent's, which https.Agent inherits) or, without an agent (`createConnection`),
 *     `req.onSocket(socket)`. An agent whose own `addRequest` does not call http.Agent's is seen at its later
 *     `onSocket` call, after the body was written: its requests are recorded without their body.
 * What observing a model call needs (http.ts: exchanges, codecs, the recorder) loads at the first request the hook
 * recognises.
 */
import type { Agent, ClientRequest } from 'node:http';
import { createRequire } from 'node:module';
import type { Uninstall } from './context.js';

const STATE = Symbol.for('agenttap.http');
const requireHere = createRequire(import.meta.url);
const CREATED = 'http.client.request.created';

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
  const unpatch = hasCreatedChannel() ? subscribe(seen) : patchPrototypes(seen);
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

function patchPrototypes(hook: HttpHook): Uninstall {
  // node:http itself, not node:https: the ClientRequest and Agent classes both use are defined by http's modules.
  const http = requireHere('node:http') as typeof import('node:http');
  const agent = http.Agent.prototype as Agent & { addRequest(req: ClientRequest, ...rest: unknown[]): void };
  const request = http.ClientRequest.prototype as ClientRequest & { onSocket(...args: unknown[]): void };
  const addRequest = agent.addRequest;
  const onSocket = request.onSocket;
  const wrappedAdd = function (this: Agent, req: ClientRequest, ...rest: unknown[]) {
    hook(req);
    return addRequest.call(this, req, ...rest);
  };
  const wrappedOnSocket = function (this: ClientRequest, ...args: unknown[]) {
    hook(this);
    return onSocket.apply(this, args);
  };
  agent.addRequest = wrappedAdd;
  request.onSocket = wrappedOnSocket;
  return () => {
    // Unhook politely: a wrapper someone put over ours stays (ours then passes through).
    if (agent.addRequest === wrappedAdd) agent.addRequest = addRequest;
    if (request.onSocket === wrappedOnSocket) request.onSocket = onSocket;
  };
}

/** The URL a ClientRequest goes to, as the endpoint matcher reads it. */
export function requestUrl(req: ClientRequest): URL {
  const host = String(req.getHeader('host') ?? req.host);
  return new URL(`${req.protocol}//${host}${req.path}`);
}
