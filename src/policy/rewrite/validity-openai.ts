/**
 * Is a rewritten OpenAI request still one the API accepts? The shipped actions keep the structure by
 * construction; a hook may not. So: a model, the same kind of message list, and every tool output answering a
 * call made before it — the pairing rule both APIs enforce (Chat Completions: a `tool` message's
 * `tool_call_id` among the preceding assistant message's `tool_calls`; Responses: a `function_call_output`'s
 * `call_id` among earlier `function_call` items).
 */
import { maxTokensField } from '../../exchange/body.js';
import type { OpenAIEndpoint } from './actions/openai.js';

type Item = Record<string, unknown>;

export function checkOpenAIRewrite(endpoint: OpenAIEndpoint, rewritten: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof rewritten.model !== 'string' || rewritten.model === '') problems.push('model: must be a non-empty string');
  const key = endpoint === 'openai.responses' ? 'input' : 'messages';
  const items = rewritten[key];
  if (endpoint === 'openai.responses' && typeof items === 'string') return problems;
  if (!Array.isArray(items) || (endpoint === 'openai.chat' && items.length === 0)) {
    problems.push(`${key}: must be a${endpoint === 'openai.chat' ? ' non-empty' : 'n'} array`);
    return problems;
  }
  const called = new Set<string>();
  items.forEach((raw: unknown, i) => {
    const item = (typeof raw === 'object' && raw !== null ? raw : {}) as Item;
    for (const call of Array.isArray(item.tool_calls) ? (item.tool_calls as Item[]) : [])
      if (typeof call?.id === 'string') called.add(call.id);
    if (item.type === 'function_call' && typeof item.call_id === 'string') called.add(item.call_id);
    const answers =
      item.role === 'tool' ? item.tool_call_id : item.type === 'function_call_output' ? item.call_id : undefined;
    if (answers !== undefined && !(typeof answers === 'string' && called.has(answers))) {
      problems.push(`${key}.${i}: a tool output for ${JSON.stringify(answers)}, which no earlier tool call made`);
    }
  });
  const limit = maxTokensField(rewritten);
  if (limit && !(Number.isInteger(rewritten[limit]) && (rewritten[limit] as number) > 0))
    problems.push(`${limit}: must be a positive integer`);
  return problems;
}
