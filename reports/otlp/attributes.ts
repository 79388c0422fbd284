/**
 * One exchange as an inference span's attributes: the GenAI conventions' names (the vendored registry under
 * tests/fixtures/otel-genai/ is what a test checks them against), HTTP status, and agenttap's own `agenttap.*`
 * for what the conventions lack (mechanism, rewrites, cost, retries, the agent's own label).
 */
import type { ExchangeRow } from '../model/types.js';
import type { Attributes, ExchangeExtras } from './types.js';

/** Endpoints whose calls are model inference (`chat`); the others (warm-up, count_tokens) are plain HTTP spans. */
const CHAT_ENDPOINTS = new Set(['anthropic.messages', 'openai.chat', 'openai.responses']);

export const isInference = (r: ExchangeRow) => CHAT_ENDPOINTS.has(r.endpoint);

/** `{gen_ai.operation.name} {gen_ai.request.model}` for inference, `{method} {path}` otherwise. */
export function inferenceName(r: ExchangeRow): string {
  return isInference(r) ? `chat ${r.model ?? r.responseModel ?? 'unknown'}` : `${r.method} ${r.path}`;
}

/** The conventions' `error.type`: the API's error type, else the HTTP status, else how the exchange ended. */
export function errorType(r: ExchangeRow): string | undefined {
  if (r.error) return r.error.split(':')[0] || 'error';
  if (r.status !== undefined && r.status >= 400) return String(r.status);
  if (r.outcome && r.outcome !== 'complete') return r.outcome;
  return undefined;
}

export function inferenceAttributes(r: ExchangeRow, x: ExchangeExtras | undefined, session: string): Attributes {
  const a: Attributes = {};
  const set = (k: string, v: Attributes[string] | undefined) => {
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) a[k] = v;
  };
  if (isInference(r)) {
    set('gen_ai.operation.name', 'chat');
    set('gen_ai.provider.name', x?.provider || undefined);
    set('gen_ai.conversation.id', session);
    set('gen_ai.request.model', r.model);
    set('gen_ai.request.stream', r.stream);
    set('gen_ai.request.max_tokens', x?.maxTokens);
    set('gen_ai.request.temperature', x?.temperature);
    set('gen_ai.request.top_p', x?.topP);
    set('gen_ai.request.top_k', x?.topK);
    set('gen_ai.request.stop_sequences', x?.stopSequences);
    set('gen_ai.response.id', x?.responseId);
    set('gen_ai.response.model', r.responseModel);
    set('gen_ai.response.finish_reasons', r.stop ? [r.stop] : undefined);
    if (r.stream && r.ttft !== undefined) set('gen_ai.response.time_to_first_chunk', r.ttft / 1000);
    usageAttributes(r, set);
    if (x?.content) {
      set('gen_ai.system_instructions', x.content.system);
      set('gen_ai.input.messages', x.content.input);
      set('gen_ai.output.messages', x.content.output);
      set('gen_ai.tool.definitions', x.content.tools);
    }
  }
  set('http.response.status_code', r.status);
  set('error.type', errorType(r));
  ownAttributes(r, set);
  return a;
}

type Set = (k: string, v: Attributes[string] | undefined) => void;

/** Input tokens include the cached ones (the conventions' note); the report keeps them apart. */
function usageAttributes(r: ExchangeRow, set: Set): void {
  const u = r.usage;
  if (!(u.input || u.output || u.cacheRead || u.cacheWrite) && r.outcome !== 'complete') return;
  set('gen_ai.usage.input_tokens', u.input + u.cacheRead + u.cacheWrite);
  set('gen_ai.usage.output_tokens', u.output);
  set('gen_ai.usage.cache_read.input_tokens', u.cacheRead);
  set('gen_ai.usage.cache_creation.input_tokens', u.cacheWrite);
}

function ownAttributes(r: ExchangeRow, set: Set): void {
  set('agenttap.exchange', r.id);
  set('agenttap.pid', r.pid);
  set('agenttap.layer', r.layer);
  set('agenttap.agent', r.agent);
  set('agenttap.agent.version', r.agentVersion);
  set('agenttap.mechanism', r.mechanism);
  set('agenttap.signature', r.signature);
  set('agenttap.outcome', r.outcome);
  set('agenttap.cost.usd', r.cost);
  set('agenttap.usage.uncached_input_tokens', r.usage.input);
  if (r.agentLabel) {
    set('agenttap.agent_label', r.agentLabel.label);
    set('agenttap.agent_label.agrees', r.agentLabel.agrees);
  }
  if (r.attempt !== undefined) set('agenttap.retry.attempt', r.attempt);
  const w = r.rewrite;
  if (w) {
    set('agenttap.rewrite.rules', w.rules);
    set('agenttap.rewrite.state', w.state);
    set('agenttap.rewrite.changes', Object.keys(w.change));
    if (w.tokens) {
      set('agenttap.rewrite.input_tokens.before', w.tokens.before);
      set('agenttap.rewrite.input_tokens.after', w.tokens.after);
    }
    if (w.cost) {
      set('agenttap.rewrite.cost.before_usd', w.cost.before);
      set('agenttap.rewrite.cost.after_usd', w.cost.after);
    }
    set('agenttap.rewrite.rejected', w.rejected);
  }
}
