/** Anthropic Messages API: JSON `Message`, the SSE event sequence, count_tokens and error bodies. */
import type { PlannedReply } from './script.js';
import type { Responder, SseEvent } from './sse.js';
import type { MockUsage } from './types.js';
import { ids, splitInto } from './util.js';

type Block =
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

function blocks(reply: PlannedReply): Block[] {
  const out: Block[] = [];
  if (reply.thinking !== undefined)
    out.push({ type: 'thinking', thinking: reply.thinking, signature: ids.signature() });
  if (reply.text !== '') out.push({ type: 'text', text: reply.text });
  for (const t of reply.toolUses)
    out.push({ type: 'tool_use', id: t.id ?? ids.toolUse(), name: t.name, input: t.input });
  return out;
}

function stopReason(reply: PlannedReply): 'tool_use' | 'end_turn' {
  return reply.toolUses.length > 0 ? 'tool_use' : 'end_turn';
}

function usageJson(u: MockUsage, outputTokens: number) {
  return {
    input_tokens: u.input_tokens,
    cache_creation_input_tokens: u.cache_creation_input_tokens,
    cache_read_input_tokens: u.cache_read_input_tokens,
    cache_creation: { ephemeral_5m_input_tokens: u.cache_creation_input_tokens, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

function message(reply: PlannedReply, id: string, content: Block[], final: boolean) {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: reply.model,
    content,
    stop_reason: final ? stopReason(reply) : null,
    stop_sequence: null,
    stop_details: null,
    container: null,
    usage: usageJson(reply.usage, final ? reply.usage.output_tokens : 1),
  };
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function anthropicErrorBody(status: number, message: string): unknown {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return { type: 'error', error: { type, message }, request_id: ids.anthropicRequest() };
}

export const anthropicResponder: Responder = {
  newId: ids.message,
  headers: () => ({ 'request-id': ids.anthropicRequest(), 'anthropic-organization-id': 'mock-org' }),
  json: (reply, id) => message(reply, id, blocks(reply), true),
  events(reply, id) {
    const ev = (type: string, data: Record<string, unknown>, content = false): SseEvent => ({
      event: type,
      data: { type, ...data },
      label: type,
      ...(content ? { content } : {}),
    });
    const out: SseEvent[] = [ev('message_start', { message: message(reply, id, [], false) })];
    blocks(reply).forEach((block, index) => {
      const start = (content_block: Record<string, unknown>) => {
        out.push(ev('content_block_start', { index, content_block }));
        if (index === 0) out.push(ev('ping', {}));
      };
      if (block.type === 'thinking') {
        start({ type: 'thinking', thinking: '', signature: '' });
        for (const piece of splitInto(block.thinking, reply.textChunks)) {
          out.push(ev('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: piece } }, true));
        }
        out.push(ev('content_block_delta', { index, delta: { type: 'signature_delta', signature: block.signature } }));
      } else if (block.type === 'text') {
        start({ type: 'text', text: '' });
        for (const piece of splitInto(block.text, reply.textChunks)) {
          out.push(ev('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }, true));
        }
      } else {
        start({ type: 'tool_use', id: block.id, name: block.name, input: {} });
        for (const piece of splitInto(JSON.stringify(block.input), 3)) {
          out.push(
            ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } }, true),
          );
        }
      }
      out.push(ev('content_block_stop', { index }));
    });
    const u = reply.usage;
    out.push(
      ev('message_delta', {
        delta: { stop_reason: stopReason(reply), stop_sequence: null, stop_details: null },
        usage: {
          input_tokens: u.input_tokens,
          cache_creation_input_tokens: u.cache_creation_input_tokens,
          cache_read_input_tokens: u.cache_read_input_tokens,
          output_tokens: u.output_tokens,
        },
      }),
    );
    out.push(ev('message_stop', {}));
    return out;
  },
  unknownEvent: () => ({
    event: 'future_event_type',
    data: { type: 'future_event_type', detail: 'an event type no client knows yet' },
    label: 'future_event_type',
  }),
  streamError: (message) => ({
    event: 'error',
    data: { type: 'error', error: { type: 'overloaded_error', message } },
    label: 'error',
  }),
  errorBody: anthropicErrorBody,
};
