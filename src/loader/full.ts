/**
 * The capture inside an agent, opened by the gate (gate.ts) at the first model call: the recorder and the taps'
 * context (src/capture/open.ts; its writer loads later still, in a pause of the model traffic), and the handlers
 * the start-up patches hand model calls to. Everything it imports is what a process that calls no model never loads.
 */
import type { ClientRequest } from 'node:http';
import { openAgentCapture } from '../capture/open.js';
import type { EndpointMatch } from '../exchange/endpoints.js';
import { stderrLine } from '../stderr.js';
import type { TapContext } from '../tap/context.js';
import { fetchHandler } from '../tap/fetch.js';
import { observeRequest } from '../tap/http.js';
import { safely } from '../tap/safely.js';
import { type Prepared, startFields } from './prepare.js';

export interface Full {
  ctx: TapContext;
  /** The fetch handler around the agent's original fetch (model calls recorded, anything else passed through). */
  fetch(original: typeof fetch): ReturnType<typeof fetchHandler>;
  /** Records an http/https request if it is a model call. Never throws. */
  http(req: ClientRequest): void;
}

export function openFull(
  { config, session, rules }: Prepared,
  matchEndpoint: (method: string, url: URL) => EndpointMatch | null,
): Full {
  const { ctx } = openAgentCapture(
    config,
    session,
    { notify: stderrLine, start: () => startFields(session), writer: { agent: true } },
    rules,
  );
  // The matcher the start-up patches used (it read ANTHROPIC_BASE_URL at start): one answer per URL.
  ctx.matchEndpoint = matchEndpoint;
  return {
    ctx,
    fetch: (original) => {
      // Node loads undici at the first fetch call, ours or not; loaded here, before the first exchange's clock
      // starts, its ~20–50 ms are not counted in that exchange's TTFT and duration (the agent pays them either way).
      void globalThis.Response;
      return fetchHandler(ctx, original);
    },
    http: (req) => safely(ctx.warn, 'http-tap-failed', () => observeRequest(ctx, req), undefined),
  };
}
