/**
 * The one reader of provider-native request and response bodies (Anthropic Messages, OpenAI Chat
 * Completions and Responses): texts, tool calls, tool results, `<system-reminder>` blocks. Taps, policy,
 * mechanisms and reports all read bodies through here; it imports no tap, codec or report module.
 */
import { contentHash } from './hash.js';
import { isRecord } from './json.js';
import { reminderParts } from './reminders.js';
import type { Endpoint } from './types.js';

type Obj = Record<string, unknown>;

/** A request's conversation: Messages and Chat `messages`, Responses `input` (a string is one user message). */
export function messagesOf(body: Obj): unknown[] {
  if (Array.isArray(body.messages)) return body.messages;
  if (Array.isArray(body.input)) return body.input;
  return typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : [];
}

/** Text blocks of a message's content (string or block list), in order. */
export function textsOf(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  const out: string[] = [];
  for (const b of content) {
    if (typeof b === 'string') out.push(b);
    else if (
      isRecord(b) &&
      typeof b.text === 'string' &&
      (b.type === 'text' || b.type === 'input_text' || b.type === 'output_text' || b.type === undefined)
    )
      out.push(b.text);
  }
  return out;
}

/** The user's own words in a message: text blocks with `<system-reminder>` parts removed, trimmed. */
export function userText(message: unknown): string {
  if (!isRecord(message)) return '';
  const content = 'content' in message ? message.content : undefined;
  return textsOf(content)
    .map((t) => withoutReminders(t).trim())
    .filter(Boolean)
    .join('\n');
}

/** Every `<system-reminder>` body in a message's text blocks. */
export function remindersOf(message: unknown): string[] {
  if (!isRecord(message) || message.role !== 'user') return [];
  const texts = textsOf(message.content);
  // Claude Code also appends reminders inside tool results.
  if (Array.isArray(message.content))
    for (const b of message.content) if (isRecord(b) && b.type === 'tool_result') texts.push(...textsOf(b.content));
  const out: string[] = [];
  for (const t of texts)
    for (const p of reminderParts(t))
      if (p.reminder)
        out.push(
          p.text
            .replace(/^<system-reminder>/, '')
            .replace(/<\/system-reminder>$/, '')
            .trim(),
        );
  return out;
}

const withoutReminders = (text: string) =>
  reminderParts(text)
    .filter((p) => !p.reminder)
    .map((p) => p.text)
    .join('');

export function roleOf(message: unknown): string | undefined {
  if (!isRecord(message)) return undefined;
  if (typeof message.role === 'string') return message.role;
  if (message.type === 'function_call_output') return 'tool';
  if (message.type === 'function_call') return 'assistant';
  return undefined;
}

/** A message that only carries tool results back (Anthropic tool_result blocks, Chat `tool`, Responses outputs). */
export function isToolResults(message: unknown): boolean {
  if (!isRecord(message)) return false;
  if (message.role === 'tool' || message.type === 'function_call_output') return true;
  return (
    message.role === 'user' &&
    Array.isArray(message.content) &&
    message.content.length > 0 &&
    message.content.every(
      (b) =>
        isRecord(b) &&
        (b.type === 'tool_result' ||
          (b.type === 'text' && typeof b.text === 'string' && b.text.trimStart().startsWith('<system-reminder>'))),
    ) &&
    message.content.some((b) => isRecord(b) && b.type === 'tool_result')
  );
}

export type MaxTokensField = 'max_tokens' | 'max_completion_tokens' | 'max_output_tokens';

const ANY_LIMIT: readonly MaxTokensField[] = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'];
/** Where each API keeps its output-token limit, in reading order (Chat: the current field, then the deprecated one). */
const LIMIT_FIELDS: Record<Endpoint, readonly MaxTokensField[]> = {
  'anthropic.messages': ['max_tokens'],
  'anthropic.count_tokens': ['max_tokens'],
  'anthropic.warmup': ANY_LIMIT,
  'openai.chat': ['max_completion_tokens', 'max_tokens'],
  'openai.responses': ['max_output_tokens'],
  custom: ANY_LIMIT,
};

/** The output-token limit field a body sets (whatever its value), for an endpoint or, without one, any API's. */
export function maxTokensField(body: Obj, endpoint?: Endpoint): MaxTokensField | undefined {
  return (endpoint ? LIMIT_FIELDS[endpoint] : ANY_LIMIT).find((f) => body[f] !== undefined);
}

/** The output-token limit a body sets: the first of its endpoint's fields holding a number. */
export function maxTokensOf(body: Obj, endpoint?: Endpoint): number | undefined {
  for (const f of endpoint ? LIMIT_FIELDS[endpoint] : ANY_LIMIT) {
    const v = body[f];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

/** System prompt blocks: Anthropic `system`, Responses `instructions`, Chat system/developer messages. */
export function systemBlocks(body: Obj, messages: readonly unknown[] | undefined): string[] {
  const s = body.system ?? body.instructions;
  if (typeof s === 'string') return [s];
  if (Array.isArray(s)) return textsOf(s);
  const out: string[] = [];
  for (const m of messages ?? []) {
    if (isRecord(m) && (m.role === 'system' || m.role === 'developer')) out.push(...textsOf(m.content));
    else break;
  }
  return out;
}

export function toolName(tool: unknown): string {
  if (!isRecord(tool)) return '?';
  if (typeof tool.name === 'string') return tool.name;
  if (isRecord(tool.function) && typeof tool.function.name === 'string') return tool.function.name;
  return typeof tool.type === 'string' ? tool.type : '?';
}

export interface ToolCall {
  id: string;
  name: string;
  input: unknown;
}

/** Tool calls in a reassembled response. */
export function responseToolCalls(body: unknown): ToolCall[] {
  if (!isRecord(body)) return [];
  const out: ToolCall[] = [];
  if (Array.isArray(body.content)) {
    for (const b of body.content)
      if (isRecord(b) && (b.type === 'tool_use' || b.type === 'server_tool_use'))
        out.push({ id: String(b.id ?? ''), name: String(b.name ?? ''), input: b.input });
  }
  if (Array.isArray(body.choices)) {
    for (const c of body.choices) {
      const calls = isRecord(c) && isRecord(c.message) ? c.message.tool_calls : undefined;
      if (Array.isArray(calls))
        for (const t of calls)
          if (isRecord(t) && isRecord(t.function))
            out.push({
              id: String(t.id ?? ''),
              name: String(t.function.name ?? ''),
              input: parseMaybe(t.function.arguments),
            });
    }
  }
  if (Array.isArray(body.output)) {
    for (const o of body.output)
      if (isRecord(o) && o.type === 'function_call')
        out.push({ id: String(o.call_id ?? o.id ?? ''), name: String(o.name ?? ''), input: parseMaybe(o.arguments) });
  }
  return out;
}

function parseMaybe(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** String fields of a tool input (a sub-agent's prompt is one of them). */
export function inputStrings(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  if (!isRecord(input)) return [];
  return Object.values(input).filter((v): v is string => typeof v === 'string' && v.trim().length > 0);
}

export const textHash = (t: string) => contentHash(t.trim());
