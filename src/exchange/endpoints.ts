/**
 * Which URLs are model calls. Matched on the path's end, so gateways and base-URL prefixes
 * (`https://gw.example/anthropic/v1/messages`, Azure's `/openai/deployments/x/chat/completions`) count too;
 * anything else passes through untouched and unrecorded.
 */
import type { Endpoint, Provider } from './types.js';

export interface EndpointMatch {
  endpoint: Endpoint;
  provider: Provider;
  /** OpenTelemetry `gen_ai.operation.name`. */
  operation: string;
  /** The model named in the URL path (Bedrock `/model/<id>/invoke`, Vertex `…/models/<id>:rawPredict`). */
  model?: string;
}

export interface ExtraEndpoint {
  host?: string;
  path?: string;
}

/** By the path's end (a string compare: this runs on the agent's thread for every fetch it makes). */
const BUILT_IN: { suffix: string; match: EndpointMatch }[] = [
  {
    suffix: '/v1/messages/count_tokens',
    match: { endpoint: 'anthropic.count_tokens', provider: 'anthropic', operation: 'count_tokens' },
  },
  { suffix: '/v1/messages', match: { endpoint: 'anthropic.messages', provider: 'anthropic', operation: 'chat' } },
  { suffix: '/chat/completions', match: { endpoint: 'openai.chat', provider: 'openai', operation: 'chat' } },
  { suffix: '/responses', match: { endpoint: 'openai.responses', provider: 'openai', operation: 'chat' } },
];

/**
 * Platform endpoints that address the model in the path. Their bodies are Anthropic Messages bodies
 * (without `model`); Vertex answers with the Anthropic SSE stream, Bedrock with JSON or, streamed, AWS
 * event-stream frames.
 */
const PATH_MODEL: { pattern: RegExp; endpoint: Endpoint }[] = [
  // Bedrock runtime: /model/{modelId}/invoke, /model/{modelId}/invoke-with-response-stream
  { pattern: /\/model\/([^/]+)\/invoke(?:-with-response-stream)?$/, endpoint: 'anthropic.messages' },
  // Vertex AI: /v1/projects/{p}/locations/{l}/publishers/anthropic/models/{model}:rawPredict | :streamRawPredict
  { pattern: /\/publishers\/anthropic\/models\/([^/:]+):(?:stream)?[rR]awPredict$/, endpoint: 'anthropic.messages' },
  // Vertex count tokens: …/publishers/anthropic/models/count-tokens:rawPredict (matched above as model "count-tokens")
];

const CUSTOM: EndpointMatch = { endpoint: 'custom', provider: 'unknown', operation: 'chat' };
const WARMUP: EndpointMatch = { endpoint: 'anthropic.warmup', provider: 'anthropic', operation: 'warmup' };

/**
 * Hosts whose `HEAD /` is a connection warm-up (Claude Code 2.x sends one to its base URL at start; the TUI of
 * native 2.1.274+ sends `HEAD /api/hello` instead: docs/claude-code-native.md): the agent's ANTHROPIC_BASE_URL
 * and Anthropic's own API.
 */
const WARMUP_PATHS = new Set(['/', '/api/hello']);

function warmupHosts(env: NodeJS.ProcessEnv): Set<string> {
  const hosts = new Set(['api.anthropic.com']);
  try {
    if (env.ANTHROPIC_BASE_URL) hosts.add(new URL(env.ANTHROPIC_BASE_URL).host);
  } catch {
    // not a URL: the agent will fail on it itself
  }
  return hosts;
}

/** Compiled once per process: the hot path only runs the returned function. */
export function createEndpointMatcher(
  extra: readonly ExtraEndpoint[] = [],
  env: NodeJS.ProcessEnv = process.env,
): (method: string, url: URL) => EndpointMatch | null {
  const warmup = warmupHosts(env);
  // The last answer, by the URL object asked about: the fetch tap asks at its gate and again where it records (the
  // same object, made per call by fetch-patch.ts and read-only after), ~20 µs of the agent's thread the second time.
  let lastUrl: URL | undefined;
  let lastMethod = '';
  let lastMatch: EndpointMatch | null = null;
  const match = (method: string, url: URL): EndpointMatch | null => {
    if (url === lastUrl && method === lastMethod) return lastMatch;
    lastMatch = matchOnce(method, url);
    lastUrl = url;
    lastMethod = method;
    return lastMatch;
  };
  const matchOnce = (method: string, url: URL): EndpointMatch | null => {
    if (method === 'HEAD') return WARMUP_PATHS.has(url.pathname) && warmup.has(url.host) ? WARMUP : null;
    if (method !== 'POST') return null;
    let path = url.pathname;
    if (path.endsWith('/')) path = path.replace(/\/+$/, '');
    for (const { suffix, match } of BUILT_IN) if (path.endsWith(suffix)) return match;
    for (const { pattern, endpoint } of PATH_MODEL) {
      const found = pattern.exec(path);
      if (!found) continue;
      const model = decodeURIComponent(found[1]!);
      if (model === 'count-tokens')
        return { endpoint: 'anthropic.count_tokens', provider: 'anthropic', operation: 'count_tokens' };
      return { endpoint, provider: 'anthropic', operation: 'chat', model };
    }
    for (const rule of extra) {
      if (rule.host !== undefined && rule.host !== url.hostname) continue;
      if (rule.path !== undefined && !path.startsWith(rule.path)) continue;
      return CUSTOM;
    }
    return null;
  };
  return match;
}
