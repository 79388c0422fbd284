/** OpenAI Responses API: JSON `Response` and the streamed `response.*` events with sequence numbers. */
import { openaiErrorBody } from './openai-chat.js';
import type { PlannedReply } from './script.js';
import type { Responder, SseEvent } from './sse.js';
import type { MockUsage, ParsedRequest } from './types.js';
import { ids, isRecord, nowSeconds, splitInto } from './util.js';

type OutputItem =
  | {
      id: string;
      type: 'message';
      status: 'in_progress' | 'completed';
      role: 'assistant';
      content: { type: 'output_text'; text: string; annotations: []; logprobs: [] }[];
    }
  | {
      id: string;
      type: 'function_call';
      status: 'in_progress' | 'completed';
      arguments: string;
      call_id: string;
      name: string;
    };

function responsesUsage(u: MockUsage) {
  const input = u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;
  return {
    input_tokens: input,
    input_tokens_details: {
      cached_tokens: u.cache_read_input_tokens,
      cache_write_tokens: u.cache_creation_input_tokens,
    },
    output_tokens: u.output_tokens,
    output_tokens_details: { reasoning_tokens: u.reasoning_tokens },
    total_tokens: input + u.output_tokens,
  };
}

/** The completed output items of `reply` (ids fixed here so every event agrees on them). */
function outputItems(reply: PlannedReply): OutputItem[] {
  const out: OutputItem[] = [];
  if (reply.text !== '') {
    out.push({
      id: ids.outputMessage(),
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: reply.text, annotations: [], logprobs: [] }],
    });
  }
  for (const t of reply.toolUses) {
    out.push({
      id: ids.functionCall(),
      type: 'function_call',
      status: 'completed',
      arguments: JSON.stringify(t.input),
      call_id: t.id ?? ids.call(),
      name: t.name,
    });
  }
  return out;
}

function responseObject(
  reply: PlannedReply,
  id: string,
  req: ParsedRequest,
  createdAt: number,
  status: 'in_progress' | 'completed',
  output: OutputItem[],
) {
  const b = req.body ?? {};
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: typeof b.instructions === 'string' ? b.instructions : null,
    max_output_tokens: typeof b.max_output_tokens === 'number' ? b.max_output_tokens : null,
    max_tool_calls: null,
    model: reply.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: typeof b.previous_response_id === 'string' ? b.previous_response_id : null,
    reasoning: isRecord(b.reasoning) ? b.reasoning : { effort: null, summary: null },
    service_tier: 'default',
    store: b.store !== false,
    temperature: typeof b.temperature === 'number' ? b.temperature : 1,
    text: isRecord(b.text) ? b.text : { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: b.tool_choice ?? 'auto',
    tools: Array.isArray(b.tools) ? b.tools : [],
    top_p: typeof b.top_p === 'number' ? b.top_p : 1,
    truncation: 'disabled',
    usage: status === 'completed' ? responsesUsage(reply.usage) : null,
    user: null,
    metadata: isRecord(b.metadata) ? b.metadata : {},
    ...(status === 'completed' ? { completed_at: nowSeconds() } : {}),
  };
}

export const openaiResponsesResponder: Responder = {
  newId: ids.response,
  headers: () => ({ 'x-request-id': ids.openaiRequest(), 'openai-processing-ms': '1' }),
  json: (reply, id, req) => responseObject(reply, id, req, nowSeconds(), 'completed', outputItems(reply)),
  events(reply, id, req) {
    const createdAt = nowSeconds();
    const items = outputItems(reply);
    const ev = (type: string, data: Record<string, unknown>, content = false): SseEvent => ({
      event: type,
      data: { type, sequence_number: 0, ...data },
      label: type,
      ...(content ? { content } : {}),
    });
    const out: SseEvent[] = [
      ev('response.created', { response: responseObject(reply, id, req, createdAt, 'in_progress', []) }),
      ev('response.in_progress', { response: responseObject(reply, id, req, createdAt, 'in_progress', []) }),
    ];
    items.forEach((item, output_index) => {
      if (item.type === 'message') {
        const part = item.content[0]!;
        const item_id = item.id;
        out.push(
          ev('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } }),
        );
        out.push(
          ev('response.content_part.added', {
            item_id,
            output_index,
            content_index: 0,
            part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
          }),
        );
        for (const delta of splitInto(part.text, reply.textChunks)) {
          out.push(
            ev('response.output_text.delta', { item_id, output_index, content_index: 0, delta, logprobs: [] }, true),
          );
        }
        out.push(
          ev('response.output_text.done', { item_id, output_index, content_index: 0, text: part.text, logprobs: [] }),
        );
        out.push(ev('response.content_part.done', { item_id, output_index, content_index: 0, part }));
      } else {
        const item_id = item.id;
        out.push(
          ev('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', arguments: '' } }),
        );
        for (const delta of splitInto(item.arguments, 3)) {
          out.push(ev('response.function_call_arguments.delta', { item_id, output_index, delta }, true));
        }
        out.push(ev('response.function_call_arguments.done', { item_id, output_index, arguments: item.arguments }));
      }
      out.push(ev('response.output_item.done', { output_index, item }));
    });
    out.push(ev('response.completed', { response: responseObject(reply, id, req, createdAt, 'completed', items) }));
    return out;
  },
  unknownEvent: () => ({
    event: 'response.future_event_type',
    data: { type: 'response.future_event_type', sequence_number: 0, detail: 'an event type no client knows yet' },
    label: 'response.future_event_type',
  }),
  streamError: (message) => ({
    event: 'error',
    data: { type: 'error', code: 'server_error', message, param: null, sequence_number: 0 },
    label: 'error',
  }),
  errorBody: openaiErrorBody,
  finalize(events) {
    events.forEach((e, i) => {
      if (isRecord(e.data) && 'sequence_number' in e.data) e.data.sequence_number = i;
    });
  },
};
