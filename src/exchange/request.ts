/**
 * Request facts (model, stream flag, token limit, message and tool counts) read from a request
 * body, whichever API it is for. Never throws: what cannot be read is left out.
 */
import { maxTokensOf } from './body.js';
import { isRecord } from './json.js';
import type { Endpoint, RequestFacts } from './types.js';

function count(v: unknown): number | undefined {
  return Array.isArray(v) ? v.length : undefined;
}

export function describeRequest(endpoint: Endpoint, body: unknown): RequestFacts {
  const facts: RequestFacts = { stream: false };
  try {
    if (!isRecord(body)) return facts;
    const b = body;
    if (typeof b.model === 'string') facts.model = b.model;
    facts.stream = b.stream === true;

    const maxTokens = maxTokensOf(b, endpoint);
    const messages = messageCount(endpoint, b);
    if (maxTokens !== undefined) facts.maxTokens = maxTokens;
    if (messages !== undefined) facts.messages = messages;
    const tools = count(b.tools);
    if (tools !== undefined) facts.tools = tools;
  } catch {
    // A hostile body (getters, proxies): keep what was read.
  }
  return facts;
}

function messageCount(endpoint: Endpoint, b: Record<string, unknown>): number | undefined {
  switch (endpoint) {
    case 'anthropic.messages':
    case 'anthropic.count_tokens':
    case 'openai.chat':
      return count(b.messages);
    case 'openai.responses':
      return inputCount(b.input);
    default:
      return count(b.messages) ?? inputCount(b.input);
  }
}

/** The Responses API's `input`: an array of items, or a single string (one user message). */
function inputCount(input: unknown): number | undefined {
  if (typeof input === 'string') return 1;
  return count(input);
}
