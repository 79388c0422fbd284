/**
 * The mock's HTTP server: loopback-only listening, recording every request, routing to the
 * model endpoints, applying faults and strict validation, and clean shutdown.
 */
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { anthropicErrorBody, anthropicResponder } from './anthropic.js';
import { matchingFaults, planJson, planStream, upfrontAnswer } from './faults.js';
import { openaiChatResponder } from './openai-chat.js';
import { openaiResponsesResponder } from './openai-responses.js';
import { parseRequest } from './request.js';
import { planReply, resolveTurn } from './script.js';
import type { Responder } from './sse.js';
import type { MockApi, MockOptions, MockServer, ReceivedRequest } from './types.js';
import { sleep } from './util.js';
import { validateAnthropicRequest } from '../exchange/anthropic-validity.js';
import { sendJson, sendJsonThenDisconnect, sendSse, type WriteContext } from './writer.js';

const ALLOWED_HOSTS: Record<string, string> = { '127.0.0.1': '127.0.0.1', localhost: '127.0.0.1', '::1': '::1' };

const MAX_REMEMBERED_RESPONSES = 10_000;

const ROUTES: Record<string, MockApi> = {
  '/v1/messages': 'anthropic',
  '/v1/messages/count_tokens': 'anthropic-count-tokens',
  '/v1/chat/completions': 'openai-chat',
  '/v1/responses': 'openai-responses',
};

function responderFor(api: MockApi): Responder {
  if (api === 'openai-chat') return openaiChatResponder;
  if (api === 'openai-responses') return openaiResponsesResponder;
  return anthropicResponder;
}

export async function startMock(options: MockOptions = {}): Promise<MockServer> {
  const { host, port } = listenAddress(options);
  const mock: MockState = {
    options,
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1024 * 1024,
    received: [],
    state: { seq: 0, modelRequests: 0, responseTurns: new Map<string, number>() },
    closing: new AbortController(),
    baseUrl: '',
  };
  const { received, state, closing } = mock;
  // One listener per request in flight (removed when it closes): many at once is load, not a leak to warn about.
  setMaxListeners(0, closing.signal);
  const sockets = new Set<Socket>();
  const server = createServer(mock, sockets);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('agenttap mock: server has no TCP address');
  mock.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  let closed: Promise<void> | undefined;
  return {
    url: mock.baseUrl,
    port: address.port,
    received,
    reset() {
      received.length = 0;
      state.modelRequests = 0;
      state.seq = 0;
      state.responseTurns.clear();
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** What one running mock shares between its requests. */
interface MockState {
  options: MockOptions;
  maxBodyBytes: number;
  received: ReceivedRequest[];
  state: { seq: number; modelRequests: number; responseTurns: Map<string, number> };
  /** Aborted by `close()`: ends every request's waits. */
  closing: AbortController;
  /** Known once listening (the 404 hint and the fault answers name it). */
  baseUrl: string;
}

/** The host and port asked for, checked: loopback only. */
function listenAddress(options: MockOptions): { host: string; port: number } {
  const requestedHost = options.host ?? '127.0.0.1';
  const host = ALLOWED_HOSTS[requestedHost];
  if (host === undefined) {
    throw new Error(
      `agenttap mock: refusing to listen on host ${JSON.stringify(requestedHost)}; only loopback is allowed (127.0.0.1, ::1, localhost)`,
    );
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`agenttap mock: invalid port ${String(port)}`);
  return { host, port };
}

function createServer(mock: MockState, sockets: Set<Socket>): http.Server {
  const server = http.createServer((req, res) => {
    handle(mock, req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(anthropicErrorBody(500, `agenttap mock internal error: ${String(err)}`)));
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  return server;
}

async function handle(mock: MockState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { options, state, received, maxBodyBytes } = mock;
  const at = Date.now();
  const url = new URL(req.url ?? '/', 'http://mock.invalid');
  const { body: rawBody, tooLarge } = await readBody(req, maxBodyBytes);
  const record: ReceivedRequest = {
    seq: ++state.seq,
    method: req.method ?? 'GET',
    path: url.pathname,
    search: url.search,
    headers: req.headers,
    rawBody,
    at,
    sentAt: [],
    sentEvents: [],
    status: 0,
  };
  const parsedBody = parseJson(rawBody);
  if (parsedBody.ok) record.body = parsedBody.value;
  received.push(record);
  if (options.maxReceived !== undefined && received.length > options.maxReceived) {
    received.splice(0, received.length - Math.max(0, options.maxReceived));
  }

  // Aborted when the client goes away or the server closes: ends every wait of this request.
  const abort = new AbortController();
  const onClosing = () => abort.abort();
  mock.closing.signal.addEventListener('abort', onClosing, { once: true });
  res.once('close', () => {
    abort.abort();
    mock.closing.signal.removeEventListener('abort', onClosing);
  });
  const accept = String(req.headers['accept-encoding'] ?? '');
  const ctx: WriteContext = {
    res,
    record,
    signal: abort.signal,
    gzip: options.gzip === 'always' || (options.gzip === true && /\bgzip\b/i.test(accept)),
  };

  if (tooLarge) {
    sendJson(ctx, 413, anthropicErrorBody(413, `request body exceeds the mock's limit of ${maxBodyBytes} bytes`));
    return;
  }
  if ((req.method === 'GET' || req.method === 'HEAD') && url.pathname === '/') {
    if (req.method === 'HEAD') sendJson(ctx, 200, undefined, { 'content-type': 'application/json' });
    else sendJson(ctx, 200, { ok: true, name: 'agenttap mock model API' });
    return;
  }
  const api = req.method === 'POST' ? ROUTES[url.pathname] : undefined;
  if (api === undefined) {
    const hint = ['/chat/completions', '/responses'].includes(url.pathname)
      ? ` (OpenAI clients need baseURL ${mock.baseUrl}/v1)`
      : '';
    sendJson(ctx, 404, {
      type: 'error',
      error: {
        type: 'not_found_error',
        message: `agenttap mock: no route for ${record.method} ${url.pathname}${hint}`,
      },
    });
    return;
  }
  await handleModel(mock, api, req, ctx, parsedBody.ok ? parsedBody.value : undefined);
}

async function handleModel(
  mock: MockState,
  api: MockApi,
  req: IncomingMessage,
  ctx: WriteContext,
  body: unknown,
): Promise<void> {
  const { options, state } = mock;
  const responder = responderFor(api);
  const parsed = parseRequest({
    api,
    n: ++state.modelRequests,
    seq: ctx.record.seq,
    path: ctx.record.path,
    headers: req.headers,
    body,
    bodyBytes: ctx.record.rawBody.length,
    previousTurnIndex: (id) => state.responseTurns.get(id),
  });
  const faults = matchingFaults(options.faults, parsed);
  const upfront = upfrontAnswer(faults, responder, mock.baseUrl);
  if (upfront) {
    sendJson(ctx, upfront.status, upfront.body, upfront.headers);
    return;
  }
  if (parsed.body === undefined) {
    sendJson(ctx, 400, responder.errorBody(400, 'request body must be a JSON object'), responder.headers());
    return;
  }
  if (options.strict && (api === 'anthropic' || api === 'anthropic-count-tokens')) {
    const problems = validateAnthropicRequest(parsed.body, { requireMaxTokens: api === 'anthropic' });
    if (problems.length > 0) {
      sendJson(ctx, 400, responder.errorBody(400, problems.join('; ')), responder.headers());
      return;
    }
  }

  const turn = resolveTurn(options, parsed);
  const reply = planReply(options, parsed, turn);
  if (api === 'anthropic-count-tokens') {
    sendJson(ctx, 200, { input_tokens: reply.usage.input_tokens }, responder.headers());
    return;
  }
  const id = responder.newId();
  if (api === 'openai-responses') {
    state.responseTurns.set(id, parsed.turnIndex);
    // Bounded memory: forget the oldest ids (Map iterates in insertion order).
    if (state.responseTurns.size > MAX_REMEMBERED_RESPONSES) {
      state.responseTurns.delete(state.responseTurns.keys().next().value as string);
    }
  }

  const firstTokenDelayMs = Math.max(0, options.firstTokenDelayMs ?? 0);
  if (parsed.stream) {
    const plan = planStream(responder.events(reply, id, parsed), faults, responder, firstTokenDelayMs);
    await sendSse(ctx, plan, Math.max(0, options.pacingMs ?? 0), responder.headers());
    return;
  }
  const json = responder.json(reply, id, parsed);
  const { delayMs, disconnectAfter } = planJson(faults, firstTokenDelayMs);
  await sleep(delayMs, ctx.signal);
  if (ctx.signal.aborted) return;
  if (disconnectAfter !== undefined) {
    await sendJsonThenDisconnect(ctx, json, responder.headers(), disconnectAfter > 0);
    return;
  }
  sendJson(ctx, 200, json, responder.headers());
}

function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    const finish = () => resolve({ body: Buffer.concat(chunks), tooLarge });
    req.once('end', finish);
    req.once('error', finish);
    req.once('close', finish);
  });
}

function parseJson(raw: Buffer): { ok: true; value: unknown } | { ok: false } {
  if (raw.length === 0) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}
