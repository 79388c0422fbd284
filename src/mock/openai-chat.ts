/** OpenAI Chat Completions: JSON `ChatCompletion`, streamed chunks (+ usage chunk, `[DONE]`), errors. */
import type { PlannedReply } from './script.js';
import type { Responder, SseEvent } from './sse.js';
import type { MockUsage, ParsedRequest } from './types.js';
import { ids, isRecord, nowSeconds, splitInto } from './util.js';

export function openaiUsage(u: MockUsage) {
  const prompt = u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: u.output_tokens,
    total_tokens: prompt + u.output_tokens,
    prompt_tokens_details: { cached_tokens: u.cache_read_input_tokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: u.reasoning_tokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

const ERROR_TYPES: Record<number, [type: string, code: string | null]> = {
  400: ['invalid_request_error', null],
  401: ['invalid_request_error', 'invalid_api_key'],
  403: ['invalid_request_error', 'unsupported_country_region_territory'],
  404: ['invalid_request_error', 'model_not_found'],
  429: ['requests', 'rate_limit_exceeded'],
  500: ['server_error', null],
  503: ['server_error', null],
};

export function openaiErrorBody(status: number, message: string): unknown {
  const [type, code] = ERROR_TYPES[status] ?? [status >= 500 ? 'server_error' : 'invalid_request_error', null];
  return { error: { message, type, param: null, code } };
}

function toolCalls(reply: PlannedReply) {
  return reply.toolUses.map((t) => ({
    id: t.id ?? ids.call(),
    type: 'function' as const,
    function: { name: t.name, arguments: JSON.stringify(t.input) },
  }));
}

function finishReason(reply: PlannedReply): 'tool_calls' | 'stop' {
  return reply.toolUses.length > 0 ? 'tool_calls' : 'stop';
}

function includeUsage(req: ParsedRequest): boolean {
  const opts = req.body?.stream_options;
  return isRecord(opts) && opts.include_usage === true;
}

export const openaiChatResponder: Responder = {
  newId: ids.chat,
  headers: () => ({ 'x-request-id': ids.openaiRequest(), 'openai-processing-ms': '1' }),
  json(reply, id) {
    const calls = toolCalls(reply);
    return {
      id,
      object: 'chat.completion',
      created: nowSeconds(),
      model: reply.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: reply.text === '' ? null : reply.text,
            refusal: null,
            annotations: [],
            ...(calls.length > 0 ? { tool_calls: calls } : {}),
          },
          logprobs: null,
          finish_reason: finishReason(reply),
        },
      ],
      usage: openaiUsage(reply.usage),
      service_tier: 'default',
      system_fingerprint: 'fp_agenttap_mock',
    };
  },
  events(reply, id, req) {
    const created = nowSeconds();
    const withUsage = includeUsage(req);
    const envelope = {
      id,
      object: 'chat.completion.chunk',
      created,
      model: reply.model,
      service_tier: 'default',
      system_fingerprint: 'fp_agenttap_mock',
    };
    const chunk = (delta: Record<string, unknown>, finish: string | null = null, content = false): SseEvent => ({
      data: {
        ...envelope,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        ...(withUsage ? { usage: null } : {}),
      },
      label: 'chunk',
      ...(content ? { content } : {}),
    });
    const out: SseEvent[] = [chunk({ role: 'assistant', content: reply.text === '' ? null : '', refusal: null })];
    if (reply.text !== '') {
      for (const piece of splitInto(reply.text, reply.textChunks)) out.push(chunk({ content: piece }, null, true));
    }
    toolCalls(reply).forEach((call, index) => {
      out.push(
        chunk({
          tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }],
        }),
      );
      for (const piece of splitInto(call.function.arguments, 3)) {
        out.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null, true));
      }
    });
    out.push(chunk({}, finishReason(reply)));
    if (withUsage) {
      out.push({
        data: { ...envelope, choices: [], usage: openaiUsage(reply.usage) },
        label: 'chunk',
      });
    }
    out.push({ data: '[DONE]', label: '[DONE]' });
    return out;
  },
  unknownEvent: () => ({
    event: 'future_event_type',
    data: { type: 'future_event_type', object: 'chat.completion.chunk', choices: [] },
    label: 'future_event_type',
  }),
  streamError: (message) => ({
    data: { error: { message, type: 'server_error', param: null, code: null } },
    label: 'error',
  }),
  errorBody: openaiErrorBody,
};
