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
}

export interface ExtraEndpoint {
  host?: string;
  path?: string;
}

const BUILT_IN: { pattern: RegExp; match: EndpointMatch }[] = [
  { pattern: /\/v1\/messages\/count_tokens$/, match: { endpoint: 'anthropic.count_tokens', provider: 'anthropic', operation: 'count_tokens' } },
  { pattern: /\/v1\/messages$/, match: { endpoint: 'anthropic.messages', provider: 'anthropic', operation: 'chat' } },
  { pattern: /\/chat\/completions$/, match: { endpoint: 'openai.chat', provider: 'openai', operation: 'chat' } },
  { pattern: /\/responses$/, match: { endpoint: 'openai.responses', provider: 'openai', operation: 'chat' } },
];

const CUSTOM: EndpointMatch = { endpoint: 'custom', provider: 'unknown', operation: 'chat' };

/** Compiled once per process: the hot path only runs the returned function. */
export function createEndpointMatcher(extra: readonly ExtraEndpoint[] = []): (method: string, url: URL) => EndpointMatch | null {
  return (method, url) => {
    if (method !== 'POST') return null;
    const path = url.pathname.replace(/\/+$/, '');
    for (const { pattern, match } of BUILT_IN) if (pattern.test(path)) return match;
    for (const rule of extra) {
      if (rule.host !== undefined && rule.host !== url.hostname) continue;
      if (rule.path !== undefined && !path.startsWith(rule.path)) continue;
      return CUSTOM;
    }
    return null;
  };
}
