/**
 * An Anthropic `Message` (the recorded, reassembled response) rendered back into the Messages API's SSE events:
 * message_start, per content block start / deltas / stop (a ping after the first start, as the API sends it),
 * message_delta, message_stop. `pieces[i]` says how many deltas block i's text, thinking or tool input is cut
 * into (render.ts picks them so the stream has as many events as the recorded one). The stream reassembles into
 * the same Message (src/exchange/anthropic.ts), so a capture of the replay equals the recording.
 */
import { isRecord } from '../exchange/json.js';
import { splitInto } from '../mock/util.js';
import type { SseEvent } from '../mock/sse.js';

type Json = Record<string, unknown>;

const ev = (type: string, data: Json): SseEvent => ({ event: type, data: { type, ...data }, label: type });

/** How many pieces each content block can be cut into (0: it arrives whole in its start event). */
export function anthropicSplittable(message: Json): number[] {
  const content = Array.isArray(message.content) ? message.content : [];
  return content.map((b) => (isRecord(b) && streamedField(b) !== undefined ? 1 : 0));
}

/** The field a block's deltas carry, or undefined for a block that arrives whole. */
function streamedField(block: Json): 'text' | 'thinking' | 'input' | undefined {
  if (block.type === 'text' && typeof block.text === 'string') return 'text';
  if (block.type === 'thinking' && typeof block.thinking === 'string') return 'thinking';
  if (
    (block.type === 'tool_use' || block.type === 'server_tool_use' || block.type === 'mcp_tool_use') &&
    'input' in block
  )
    return 'input';
  return undefined;
}

export function anthropicEvents(message: Json, pieces: readonly number[]): SseEvent[] {
  const content = (Array.isArray(message.content) ? message.content : []).filter(isRecord);
  const { stop_reason, stop_sequence, stop_details, usage } = message;
  // The recorded Message's keys in their order (the reassembled one keeps the order message_start gave it).
  const start: Json = {};
  for (const [key, value] of Object.entries(message)) {
    if (key === 'content') start[key] = [];
    else if (key === 'stop_reason' || key === 'stop_sequence' || key === 'stop_details') start[key] = null;
    else start[key] = value;
  }
  const out: SseEvent[] = [ev('message_start', { message: start })];
  content.forEach((block, index) => {
    const field = streamedField(block);
    out.push(ev('content_block_start', { index, content_block: skeleton(block, field) }));
    if (index === 0) out.push(ev('ping', {}));
    if (field !== undefined) out.push(...blockDeltas(block, field, index, pieces[index] ?? 1));
    out.push(ev('content_block_stop', { index }));
  });
  const delta: Json = { stop_reason: stop_reason ?? null, stop_sequence: stop_sequence ?? null };
  if (stop_details !== undefined) delta.stop_details = stop_details;
  out.push(ev('message_delta', { delta, ...(usage ? { usage } : {}) }));
  out.push(ev('message_stop', {}));
  return out;
}

/** The block as its start event carries it: streamed fields empty (the SDK fills them from the deltas). */
function skeleton(block: Json, field: ReturnType<typeof streamedField>): Json {
  if (field === 'text') {
    const { citations: _c, ...rest } = block;
    return { ...rest, text: '' };
  }
  if (field === 'thinking') return { ...block, thinking: '', signature: '' };
  if (field === 'input') return { ...block, input: {} };
  return block;
}

function blockDeltas(block: Json, field: 'text' | 'thinking' | 'input', index: number, n: number): SseEvent[] {
  const delta = (d: Json) => ev('content_block_delta', { index, delta: d });
  if (field === 'text') {
    const out = splitInto(String(block.text), n).map((text) => delta({ type: 'text_delta', text }));
    for (const citation of Array.isArray(block.citations) ? block.citations : [])
      out.push(delta({ type: 'citations_delta', citation }));
    return out;
  }
  if (field === 'thinking') {
    const out = splitInto(String(block.thinking), n).map((thinking) => delta({ type: 'thinking_delta', thinking }));
    if (typeof block.signature === 'string') out.push(delta({ type: 'signature_delta', signature: block.signature }));
    return out;
  }
  const json = typeof block.input === 'string' ? block.input : JSON.stringify(block.input ?? {});
  return splitInto(json, n).map((partial_json) => delta({ type: 'input_json_delta', partial_json }));
}
