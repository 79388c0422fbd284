/**
 * OpenAI bodies rendered back into their streams: a `ChatCompletion` into `chat.completion.chunk`s (role,
 * content pieces, tool calls, finish, the usage chunk when the request asked for it, `[DONE]`), a Responses API
 * `Response` into its events (created, items added with their text or arguments in pieces, done, completed —
 * which carries the recorded Response whole, so the reassembled body is the recorded one).
 */
import { isRecord } from '../exchange/json.js';
import { splitInto } from '../mock/util.js';
import type { SseEvent } from '../mock/sse.js';

type Json = Record<string, unknown>;

function choiceOf(body: Json): { message: Json; finish: unknown; index: number } {
  const choice = Array.isArray(body.choices) && isRecord(body.choices[0]) ? body.choices[0] : {};
  return {
    message: isRecord(choice.message) ? choice.message : {},
    finish: choice.finish_reason ?? 'stop',
    index: typeof choice.index === 'number' ? choice.index : 0,
  };
}

function toolCallsOf(message: Json): Json[] {
  return Array.isArray(message.tool_calls) ? message.tool_calls.filter(isRecord) : [];
}

/** Splittable parts of a ChatCompletion: its text, then each tool call's arguments. */
export function chatSplittable(body: Json): number[] {
  const { message } = choiceOf(body);
  return [typeof message.content === 'string' && message.content !== '' ? 1 : 0, ...toolCallsOf(message).map(() => 1)];
}

export function chatEvents(body: Json, pieces: readonly number[], includeUsage: boolean): SseEvent[] {
  const { message, finish, index } = choiceOf(body);
  const { choices: _c, usage, object: _o, ...envelope } = body;
  const chunk = (delta: Json, finishReason: unknown = null): SseEvent => ({
    data: {
      ...envelope,
      object: 'chat.completion.chunk',
      choices: [{ index, delta, logprobs: null, finish_reason: finishReason }],
      ...(includeUsage ? { usage: null } : {}),
    },
    label: 'chunk',
  });
  const text = typeof message.content === 'string' ? message.content : '';
  const out: SseEvent[] = [chunk({ role: 'assistant', content: text === '' ? null : '', refusal: null })];
  if (text !== '') for (const piece of splitInto(text, pieces[0] ?? 1)) out.push(chunk({ content: piece }));
  toolCallsOf(message).forEach((call, i) => {
    const fn = isRecord(call.function) ? call.function : {};
    out.push(
      chunk({ tool_calls: [{ index: i, id: call.id, type: 'function', function: { name: fn.name, arguments: '' } }] }),
    );
    for (const piece of splitInto(String(fn.arguments ?? ''), pieces[i + 1] ?? 1))
      out.push(chunk({ tool_calls: [{ index: i, function: { arguments: piece } }] }));
  });
  out.push(chunk({}, finish));
  if (includeUsage && usage !== undefined)
    out.push({ data: { ...envelope, object: 'chat.completion.chunk', choices: [], usage }, label: 'chunk' });
  out.push({ data: '[DONE]', label: '[DONE]' });
  return out;
}

function outputOf(body: Json): Json[] {
  return Array.isArray(body.output) ? body.output.filter(isRecord) : [];
}

/** Splittable parts of a Response: each output item (message text parts together, or call arguments). */
export function responsesSplittable(body: Json): number[] {
  return outputOf(body).map((item) => (item.type === 'message' || item.type === 'function_call' ? 1 : 0));
}

export function responsesEvents(body: Json, pieces: readonly number[]): SseEvent[] {
  const out: SseEvent[] = [];
  const push = (type: string, data: Json) =>
    out.push({ event: type, data: { type, sequence_number: out.length, ...data }, label: type });
  const pending = { ...body, status: 'in_progress', output: [] };
  push('response.created', { response: pending });
  push('response.in_progress', { response: pending });
  outputOf(body).forEach((item, output_index) => {
    const n = pieces[output_index] ?? 1;
    if (item.type === 'message') {
      push('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } });
      const parts = Array.isArray(item.content) ? item.content.filter(isRecord) : [];
      parts.forEach((part, content_index) => {
        const ids = { item_id: item.id, output_index, content_index };
        const text = typeof part.text === 'string' ? part.text : undefined;
        push('response.content_part.added', { ...ids, part: text === undefined ? part : { ...part, text: '' } });
        if (text !== undefined && part.type === 'output_text') {
          for (const delta of splitInto(text, n)) push('response.output_text.delta', { ...ids, delta });
          push('response.output_text.done', { ...ids, text });
        }
        push('response.content_part.done', { ...ids, part });
      });
    } else if (item.type === 'function_call') {
      push('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', arguments: '' } });
      const args = String(item.arguments ?? '');
      for (const delta of splitInto(args, n))
        push('response.function_call_arguments.delta', { item_id: item.id, output_index, delta });
      push('response.function_call_arguments.done', { item_id: item.id, output_index, arguments: args });
    } else push('response.output_item.added', { output_index, item });
    push('response.output_item.done', { output_index, item });
  });
  push('response.completed', { response: body });
  return out;
}
