/**
 * The actions that mean the same on OpenAI requests — Chat Completions (`messages`) and the Responses API
 * (`input`): swap the model, cap the output, cut long tool outputs (and optionally user text). None of them
 * touches the structure (items, roles, tool call ids), so every tool output stays paired with its call; the
 * Anthropic-only actions (thinking, trimming by exchanges, context_management, removing tools) say so instead.
 */
import { isRecord } from '../../../exchange/json.js';
import type { Endpoint } from '../../../exchange/types.js';
import type { AnthropicBody, RewriteTarget } from '../types.js';
import { cutMiddle, type TruncateOptions } from './truncate.js';
import type { CapMaxTokensOptions } from './cap-max-tokens.js';
import type { SetModelOptions } from './set-model.js';

export type OpenAIEndpoint = Extract<Endpoint, 'openai.chat' | 'openai.responses'>;
export type OpenAIAction = (target: RewriteTarget, endpoint: OpenAIEndpoint) => RewriteTarget;

type Item = Record<string, unknown>;

/** The body with its fields replaced; typed as the target's body, which for OpenAI is a plain JSON object. */
const withFields = (target: RewriteTarget, fields: Record<string, unknown>): RewriteTarget => ({
  ...target,
  body: { ...target.body, ...fields } as AnthropicBody,
});

export function setModelOpenAI(options: SetModelOptions): OpenAIAction {
  return (target) => {
    const next = options.map?.[target.body.model] ?? options.to;
    return !next || next === target.body.model ? target : withFields(target, { model: next });
  };
}

/**
 * Caps the output-token limit the request has (`max_tokens` or `max_completion_tokens`, `max_output_tokens` for
 * Responses), or sets one when it has none: unlike Anthropic's, OpenAI's limit is optional.
 */
export function capOutputOpenAI({ max }: CapMaxTokensOptions): OpenAIAction {
  return (target, endpoint) => {
    const body = target.body as Item;
    const field =
      endpoint === 'openai.responses'
        ? 'max_output_tokens'
        : 'max_tokens' in body
          ? 'max_tokens'
          : 'max_completion_tokens';
    const current = body[field];
    if (typeof current === 'number' && current <= max) return target;
    return withFields(target, { [field]: max });
  };
}

export function truncateOpenAI(options: TruncateOptions): OpenAIAction {
  const kinds = new Set(options.blocks ?? ['tool_result']);
  const cut = (text: string) => cutMiddle(text, options.maxChars, options.headShare ?? 0.7);
  return (target, endpoint) => {
    const key = endpoint === 'openai.responses' ? 'input' : 'messages';
    const items = (target.body as Item)[key];
    if (!Array.isArray(items)) return target;
    let changed = false;
    const next = items.map((item: unknown) => {
      const out = isRecord(item) ? truncateItem(item, kinds, cut) : item;
      if (out !== item) changed = true;
      return out;
    });
    return changed ? withFields(target, { [key]: next }) : target;
  };
}

/** A tool output: chat `{role: "tool", content}`, Responses `{type: "function_call_output", output}`; a user message's text. */
function truncateItem(item: Item, kinds: Set<string>, cut: (t: string) => string): Item {
  if (kinds.has('tool_result') && item.role === 'tool') return withText(item, 'content', cut);
  if (kinds.has('tool_result') && item.type === 'function_call_output') return withText(item, 'output', cut);
  if (kinds.has('text') && item.role === 'user') return withText(item, 'content', cut);
  return item;
}

/** The field as a string, or as an array of text parts (`text`, `input_text`, `output_text`). */
function withText(item: Item, field: string, cut: (t: string) => string): Item {
  const value = item[field];
  if (typeof value === 'string') {
    const text = cut(value);
    return text === value ? item : { ...item, [field]: text };
  }
  if (!Array.isArray(value)) return item;
  let changed = false;
  const parts = value.map((part: unknown) => {
    if (!isRecord(part) || typeof part.text !== 'string' || !/^(?:input_|output_)?text$/.test(String(part.type)))
      return part;
    const text = cut(part.text);
    if (text === part.text) return part;
    changed = true;
    return { ...part, text };
  });
  return changed ? { ...item, [field]: parts } : item;
}
