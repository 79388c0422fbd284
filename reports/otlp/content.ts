/**
 * Captured content in the GenAI conventions' shapes (the JSON schemas vendored under tests/fixtures/otel-genai/):
 * provider-native messages (Anthropic Messages, OpenAI Chat and Responses) → `{role, parts: [...]}`; the
 * system prompt → `[{type: 'text', content}]`; each attribute a JSON string cut to a size, saying how much was cut.
 * Input is the log's content: already redacted by the capture.
 */
import { isRecord } from '../../src/exchange/json.js';

type Obj = Record<string, unknown>;
export type Part = { type: string } & Obj;
export interface Message {
  role: string;
  parts: Part[];
}

const parseMaybe = (v: unknown) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
};

/** A tool result's content as the conventions' `response`: its text when it is all text, else the blocks. */
function resultOf(content: unknown): unknown {
  if (!Array.isArray(content)) return content ?? '';
  const texts = content.filter((b) => isRecord(b) && b.type === 'text' && typeof b.text === 'string');
  return texts.length === content.length ? texts.map((b) => (b as Obj).text).join('\n') : content;
}

/** One provider content block as a part; unknown blocks keep their type (the schema's GenericPart). */
function partOf(b: unknown): Part | undefined {
  if (typeof b === 'string') return { type: 'text', content: b };
  if (!isRecord(b)) return undefined;
  const type = String(b.type ?? 'text');
  if ((type === 'text' || type === 'input_text' || type === 'output_text') && typeof b.text === 'string')
    return { type: 'text', content: b.text };
  if (type === 'tool_use' || type === 'server_tool_use')
    return { type: 'tool_call', id: b.id ?? null, name: String(b.name ?? ''), arguments: b.input ?? null };
  if (type === 'tool_result')
    return { type: 'tool_call_response', id: b.tool_use_id ?? null, response: resultOf(b.content) };
  if (type === 'thinking' && typeof b.thinking === 'string') return { type: 'reasoning', content: b.thinking };
  if (type === 'function_call')
    return {
      type: 'tool_call',
      id: b.call_id ?? b.id ?? null,
      name: String(b.name ?? ''),
      arguments: parseMaybe(b.arguments),
    };
  if (type === 'function_call_output')
    return { type: 'tool_call_response', id: b.call_id ?? null, response: b.output ?? '' };
  // Images and documents keep their kind, not their bytes.
  return { type };
}

const partsOf = (content: unknown): Part[] =>
  (Array.isArray(content) ? content : content === undefined || content === null ? [] : [content])
    .map(partOf)
    .filter((p): p is Part => p !== undefined);

/** A provider message (or Responses input item) as the conventions' message. */
export function messageOf(m: unknown): Message | undefined {
  if (typeof m === 'string') return { role: 'user', parts: [{ type: 'text', content: m }] };
  if (!isRecord(m)) return undefined;
  if (m.type === 'function_call') return { role: 'assistant', parts: [partOf(m)!] };
  if (m.type === 'function_call_output') return { role: 'tool', parts: [partOf(m)!] };
  const parts = partsOf(m.content);
  // OpenAI Chat: the assistant's tool calls, and a `tool` message answering one.
  if (Array.isArray(m.tool_calls))
    for (const t of m.tool_calls)
      if (isRecord(t) && isRecord(t.function))
        parts.push({
          type: 'tool_call',
          id: t.id ?? null,
          name: String(t.function.name ?? ''),
          arguments: parseMaybe(t.function.arguments),
        });
  if (m.role === 'tool')
    return {
      role: 'tool',
      parts: [{ type: 'tool_call_response', id: m.tool_call_id ?? null, response: resultOf(m.content) }],
    };
  // An Anthropic user message of tool results only answers tools: the conventions' `tool` role.
  const role = parts.length && parts.every((p) => p.type === 'tool_call_response') ? 'tool' : String(m.role ?? 'user');
  return { role, parts };
}

export const inputMessages = (messages: readonly unknown[]): Message[] =>
  messages.map(messageOf).filter((m): m is Message => m !== undefined);

/** The reassembled response as output messages: Anthropic's one message, Chat's choices, Responses' output. */
export function outputMessages(body: unknown): Message[] {
  if (!isRecord(body)) return [];
  if (Array.isArray(body.content)) return [{ role: 'assistant', parts: partsOf(body.content) }];
  if (Array.isArray(body.choices))
    return body.choices
      .map((c) => (isRecord(c) ? messageOf(c.message) : undefined))
      .filter((m): m is Message => m !== undefined);
  if (Array.isArray(body.output)) {
    const parts = body.output.flatMap((o) => (isRecord(o) && o.type === 'message' ? partsOf(o.content) : partsOf([o])));
    return [{ role: 'assistant', parts }];
  }
  return [];
}

export const systemInstructions = (texts: readonly string[]): Part[] =>
  texts.map((t) => ({ type: 'text', content: t }));

/** Tool definitions with the required properties only (the conventions advise against more by default). */
export const toolDefinitions = (names: readonly string[]) => names.map((name) => ({ type: 'function', name }));

const cutMarker = (n: number) => `…[agenttap: ${n} more characters cut]`;

function cutStrings(v: unknown, max: number): unknown {
  if (typeof v === 'string') return v.length > max ? `${v.slice(0, max)}${cutMarker(v.length - max)}` : v;
  if (Array.isArray(v)) return v.map((x) => cutStrings(x, max));
  if (!isRecord(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cutStrings(x, max)]));
}

/** The longest strings tried, longest first: few steps, each a pass over at most 2 × max characters. */
const cutLimits = (max: number) => [Math.floor(max / 4), Math.floor(max / 16), 256, 64].filter((n) => n >= 64);

/**
 * `value` as JSON of at most about `max` characters, still valid against its schema. A list: each item measured
 * once, the oldest items beyond 2 × `max` left out first (a long session resends its whole conversation on every
 * call: cutting strings in all of it each time would cost more than the export), then long strings cut (each saying
 * how much), then more of the oldest items left out; what was left out stands as one `agenttap.cut` part first.
 */
export function capJson(value: unknown, max: number, wrap?: (cut: Part) => unknown): string {
  const cutPart = (n: number, chars: number): Part => ({ type: 'agenttap.cut', items: n, characters: chars });
  if (!Array.isArray(value)) {
    const text = JSON.stringify(value);
    if (text.length <= max) return text;
    for (const limit of cutLimits(max)) {
      const cut = JSON.stringify(cutStrings(value, limit));
      if (cut.length <= max) return cut;
    }
    // Not a list (tool arguments, a result): the marker alone stands for it.
    return JSON.stringify(cutPart(1, text.length));
  }
  const sizes = value.map((x) => JSON.stringify(x).length + 1);
  let total = sizes.reduce((a, b) => a + b, 1);
  if (total <= max) return JSON.stringify(value);
  let from = 0;
  while (total > 2 * max && from < value.length - 1) total -= sizes[from++]!;
  const marker = (n: number) => {
    const part = cutPart(
      n,
      sizes.slice(0, n).reduce((a, b) => a + b, 0),
    );
    return wrap ? wrap(part) : part;
  };
  const withMarker = (items: unknown[], n: number) => JSON.stringify(n ? [marker(n), ...items] : items);
  const rest = value.slice(from);
  for (const limit of cutLimits(max)) {
    const text = withMarker(cutStrings(rest, limit) as unknown[], from);
    if (text.length <= max) return text;
  }
  // Keep the newest items that fit beside the marker.
  const items = cutStrings(rest, 64) as unknown[];
  let kept = items.length;
  let used = 0;
  while (kept > 0) {
    const size = JSON.stringify(items[kept - 1]).length + 1;
    if (used + size + 120 > max) break;
    used += size;
    kept--;
  }
  return withMarker(items.slice(kept), from + kept);
}
