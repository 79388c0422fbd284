/**
 * Reads a model request into a `ParsedRequest`: model, stream flag, system prompt, tools, last
 * user text and — the key to stateless scripting — the turn index (assistant turns already present).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { MockApi, ParsedRequest, ToolSpec } from './types.js';
import { isRecord } from './util.js';

export interface ParseInput {
  api: MockApi;
  n: number;
  seq: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  bodyBytes: number;
  /** Turn index of a remembered Responses `previous_response_id`, if any. */
  previousTurnIndex?: (responseId: string) => number | undefined;
}

export function parseRequest(input: ParseInput): ParsedRequest {
  const body = isRecord(input.body) ? input.body : undefined;
  const api = input.api;
  const base = {
    api,
    n: input.n,
    seq: input.seq,
    path: input.path,
    headers: input.headers,
    body,
    bodyBytes: input.bodyBytes,
    model: typeof body?.model === 'string' ? body.model : defaultModel(api),
    stream: body?.stream === true,
    tools: normalizeTools(body?.tools),
  };
  if (api === 'openai-chat') {
    const messages = Array.isArray(body?.messages) ? body.messages.filter(isRecord) : [];
    return {
      ...base,
      system: messages
        .filter((m) => m.role === 'system' || m.role === 'developer')
        .map((m) => textOf(m.content))
        .join('\n'),
      turnIndex: messages.filter((m) => m.role === 'assistant').length,
      lastUserText: textOf([...messages].reverse().find((m) => m.role === 'user')?.content),
      thinking: false,
    };
  }
  if (api === 'openai-responses') {
    const rawInput = body?.input;
    const items = Array.isArray(rawInput) ? rawInput.filter(isRecord) : [];
    const prev = typeof body?.previous_response_id === 'string' ? body.previous_response_id : undefined;
    const prevIndex = prev !== undefined ? input.previousTurnIndex?.(prev) : undefined;
    const userItems = items.filter((i) => i.role === 'user' && (i.type === undefined || i.type === 'message'));
    return {
      ...base,
      system: [
        typeof body?.instructions === 'string' ? body.instructions : '',
        ...items.filter((i) => i.role === 'system' || i.role === 'developer').map((i) => textOf(i.content)),
      ]
        .filter((s) => s !== '')
        .join('\n'),
      turnIndex: (prevIndex === undefined ? 0 : prevIndex + 1) + countAssistantGroups(items),
      lastUserText: typeof rawInput === 'string' ? rawInput : textOf(userItems.at(-1)?.content),
      thinking: false,
    };
  }
  // Anthropic (messages and count_tokens)
  const messages = Array.isArray(body?.messages) ? body.messages.filter(isRecord) : [];
  const thinking = body?.thinking;
  return {
    ...base,
    system: textOf(body?.system),
    turnIndex: messages.filter((m) => m.role === 'assistant').length,
    lastUserText: textOf([...messages].reverse().find((m) => m.role === 'user')?.content),
    thinking: isRecord(thinking) && typeof thinking.type === 'string' && thinking.type !== 'disabled',
  };
}

function defaultModel(api: MockApi): string {
  return api.startsWith('anthropic') ? 'claude-mock' : 'gpt-mock';
}

/** Assistant-side Responses input items: output messages, function calls, reasoning. */
function isAssistantItem(item: Record<string, unknown>): boolean {
  if (item.role === 'assistant') return true;
  return (
    item.type === 'function_call' ||
    item.type === 'custom_tool_call' ||
    item.type === 'reasoning' ||
    item.type === 'local_shell_call' ||
    item.type === 'shell_call' ||
    item.type === 'apply_patch_call'
  );
}

/** A turn can produce several items (reasoning, text, parallel calls): count runs of them. */
function countAssistantGroups(items: Record<string, unknown>[]): number {
  let groups = 0;
  let inGroup = false;
  for (const item of items) {
    const assistant = isAssistantItem(item);
    if (assistant && !inGroup) groups++;
    inGroup = assistant;
  }
  return groups;
}

/** Plain text of a content value: a string, or the `text` of text-ish blocks (tool results excluded). */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter(isRecord)
    .filter((b) => typeof b.text === 'string' && b.type !== 'tool_result')
    .map((b) => b.text as string)
    .join('\n');
}

/** Tools in any of the three APIs' shapes; tools without a name (built-ins) are dropped. */
export function normalizeTools(tools: unknown): ToolSpec[] {
  if (!Array.isArray(tools)) return [];
  const out: ToolSpec[] = [];
  for (const tool of tools) {
    if (!isRecord(tool)) continue;
    // Chat Completions: { type: 'function', function: { name, description, parameters } }
    if (isRecord(tool.function) && typeof tool.function.name === 'string') {
      out.push(spec(tool.function.name, tool.function.description, tool.function.parameters));
      continue;
    }
    if (typeof tool.name !== 'string') continue;
    // Anthropic: { name, description, input_schema }; Responses: { type: 'function', name, parameters };
    // already a ToolSpec: { name, description, inputSchema }
    out.push(spec(tool.name, tool.description, tool.input_schema ?? tool.parameters ?? tool.inputSchema));
  }
  return out;
}

function spec(name: string, description: unknown, schema: unknown): ToolSpec {
  const out: ToolSpec = { name };
  if (typeof description === 'string') out.description = description;
  if (schema !== undefined) out.inputSchema = schema;
  return out;
}
