/**
 * Turn logic: which scripted turn answers a request, the default script, example tool inputs
 * from JSON schemas, and the planned reply (turn + usage) that the API responders render.
 */
import type { MockOptions, MockUsage, ParsedRequest, Script, ToolSpec, Turn } from './types.js';
import { normalizeTools } from './request.js';
import { estimateTokens, isRecord } from './util.js';

export const DEFAULT_FINAL_TEXT = 'All done. This is the final answer from the agenttap mock model.';
export const DEFAULT_THINKING = 'Let me think about what the user is asking for, step by step.';

/** A turn ready to render: text first (if any), then the tool uses. */
export interface PlannedReply {
  model: string;
  text: string;
  toolUses: { id?: string; name: string; input: unknown }[];
  /** Present only when the request enabled thinking (Anthropic). */
  thinking?: string;
  usage: MockUsage;
  textChunks: number;
}

/**
 * The script used when none is given: with tools, turn 0 calls the first tool (input built from
 * its schema's required properties) and turn 1 answers in text; without tools, a text answer.
 * `tools` may be in Anthropic, Chat Completions or Responses shape, or already `ToolSpec`s.
 */
export function defaultScript(tools: readonly unknown[] = []): Script {
  const specs = normalizeTools([...tools]);
  const first = specs[0];
  if (!first)
    return [{ text: 'Hello from the agenttap mock model. There are no tools to call, so here is a plain answer.' }];
  return [
    { toolUse: { name: first.name, input: exampleInput(first) } },
    { text: `I called ${first.name} and got its result. That completes the task.` },
  ];
}

/** An input for `tool` that satisfies its schema's required properties. */
export function exampleInput(tool: ToolSpec): unknown {
  const counter = { next: 1 };
  const value = exampleFromSchema(tool.inputSchema, counter, 0);
  return isRecord(value) ? value : {};
}

/** Example value of a JSON schema: strings "example", numbers 1, 2, 3…, required properties only. */
export function exampleFromSchema(schema: unknown, counter = { next: 1 }, depth = 0): unknown {
  if (!isRecord(schema) || depth > 8) return {};
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ('default' in schema && schema.default !== undefined) return schema.default;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) {
      const pick = options.find((o) => !(isRecord(o) && o.type === 'null')) ?? options[0];
      return exampleFromSchema(pick, counter, depth + 1);
    }
  }
  let type = schema.type;
  if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? type[0];
  if (type === undefined && isRecord(schema.properties)) type = 'object';
  switch (type) {
    case 'string':
      return 'example';
    case 'number':
    case 'integer': {
      const n = counter.next++;
      return typeof schema.minimum === 'number' && schema.minimum > n ? schema.minimum : n;
    }
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
      return Array.from({ length: Math.min(min, 3) }, () => exampleFromSchema(schema.items, counter, depth + 1));
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = isRecord(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : [];
      for (const name of required) out[name] = exampleFromSchema(props[name], counter, depth + 1);
      return out;
    }
    default:
      return 'example';
  }
}

/** The turn answering `req`: from the script (array or function), else the default script, else final text. */
export function resolveTurn(options: MockOptions, req: ParsedRequest): Turn {
  const final: Turn = { text: options.finalText ?? DEFAULT_FINAL_TEXT };
  const script = options.script;
  if (typeof script === 'function') {
    const turn = script(req);
    if (turn !== undefined) return turn;
    return defaultScript(req.tools)[req.turnIndex] ?? final;
  }
  return (script ?? defaultScript(req.tools))[req.turnIndex] ?? final;
}

/** Renders `turn` into a reply for `req`, with estimated usage and the user's overrides applied. */
export function planReply(options: MockOptions, req: ParsedRequest, turn: Turn): PlannedReply {
  const toolUses = [...(turn.toolUse ? [turn.toolUse] : []), ...(turn.toolUses ?? [])].map((t) => ({
    ...(t.id !== undefined ? { id: t.id } : {}),
    name: t.name,
    input: t.input ?? {},
  }));
  let text = turn.text ?? '';
  if (text === '' && toolUses.length === 0) text = options.finalText ?? DEFAULT_FINAL_TEXT;
  const thinking = req.thinking ? (turn.thinking ?? DEFAULT_THINKING) : undefined;
  const outputSize =
    text.length +
    (thinking?.length ?? 0) +
    toolUses.reduce((s, t) => s + t.name.length + JSON.stringify(t.input).length, 0);
  const overrides = typeof options.usage === 'function' ? options.usage(req) : options.usage;
  const usage: MockUsage = {
    input_tokens: estimateTokens(req.bodyBytes),
    output_tokens: estimateTokens(outputSize),
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
    reasoning_tokens: 0,
    ...definedOnly(overrides ?? {}),
  };
  const reply: PlannedReply = {
    model: req.model,
    text,
    toolUses,
    usage,
    textChunks: Math.max(1, Math.floor(options.textChunks ?? 3)),
  };
  if (thinking !== undefined) reply.thinking = thinking;
  return reply;
}

function definedOnly(usage: Partial<MockUsage>): Partial<MockUsage> {
  const out: Partial<MockUsage> = {};
  for (const [k, v] of Object.entries(usage) as [keyof MockUsage, number | undefined][]) {
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}
