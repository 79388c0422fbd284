/**
 * Validity rules for an Anthropic Messages request, as the real API enforces them (the basics). One copy
 * for the whole project: the mock's strict mode rejects with it, and every rewritten request is checked
 * with it before it may be sent.
 * role alternation starting with `user`, tool_use/tool_result pairing between adjacent messages (a `system`
 * message in `messages` — native Claude Code 2.1.3xx sends them, with the `per-turn-control` beta — is allowed
 * after the first message and stands outside alternation and pairing),
 * at most 4 cache_control breakpoints, and max_tokens above the thinking budget.
 * Returns the problems found, each naming what is wrong and where; [] means valid.
 */
import { isRecord } from './json.js';

export interface ValidateOptions {
  /** `max_tokens` is required (true for /v1/messages, false for count_tokens). Default true. */
  requireMaxTokens?: boolean;
}

export const MAX_CACHE_CONTROL_BREAKPOINTS = 4;

export function validateAnthropicRequest(body: unknown, options: ValidateOptions = {}): string[] {
  const problems: string[] = [];
  if (!isRecord(body)) return ['request body must be a JSON object'];

  if (typeof body.model !== 'string' || body.model === '') problems.push('model: field required (a non-empty string)');
  const requireMaxTokens = options.requireMaxTokens ?? true;
  if (
    requireMaxTokens &&
    (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 1)
  ) {
    problems.push('max_tokens: field required (a positive integer)');
  }

  const messages = body.messages;
  if (!Array.isArray(messages)) {
    problems.push('messages: field required (an array)');
  } else {
    checkMessages(messages, problems);
  }

  const breakpoints = countCacheControl(body.system) + countCacheControl(body.tools) + countCacheControl(messages);
  if (breakpoints > MAX_CACHE_CONTROL_BREAKPOINTS) {
    problems.push(
      `A maximum of ${MAX_CACHE_CONTROL_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints}.`,
    );
  }

  const thinking = body.thinking;
  if (isRecord(thinking) && thinking.type === 'enabled') {
    const budget = thinking.budget_tokens;
    if (typeof budget !== 'number') {
      problems.push('thinking.budget_tokens: field required when thinking is enabled');
    } else if (typeof body.max_tokens === 'number' && body.max_tokens <= budget) {
      problems.push(
        `max_tokens must be greater than thinking.budget_tokens (max_tokens ${body.max_tokens} <= budget_tokens ${budget})`,
      );
    }
  }
  return problems;
}

function checkMessages(messages: unknown[], problems: string[]): void {
  if (messages.length === 0) {
    problems.push('messages: at least one message is required');
    return;
  }
  let previous: Record<string, unknown> | undefined;
  const isSystem = (m: unknown) => isRecord(m) && m.role === 'system';
  messages.forEach((m, i) => {
    if (i > 0 && isSystem(m)) return;
    if (!isRecord(m)) {
      problems.push(`messages.${i}: must be an object`);
      previous = undefined;
      return;
    }
    const role = m.role;
    if (role !== 'user' && role !== 'assistant') {
      problems.push(`messages.${i}.role: must be "user" or "assistant", got ${JSON.stringify(role)}`);
    }
    if (i === 0 && role !== 'user') problems.push(`messages.0.role: the first message must use the "user" role`);
    if (previous && previous.role === role) {
      problems.push(
        `messages.${i}: roles must alternate between "user" and "assistant" (two "${String(role)}" in a row)`,
      );
    }

    // Every tool_result answers a tool_use of the immediately preceding assistant message.
    const results = blocksOf(m, 'tool_result');
    if (results.length > 0) {
      if (role !== 'user') problems.push(`messages.${i}: tool_result blocks may only appear in a user message`);
      const offered = new Set(
        previous && previous.role === 'assistant' ? blocksOf(previous, 'tool_use').map((b) => b.id) : [],
      );
      for (const r of results) {
        if (!offered.has(r.tool_use_id)) {
          problems.push(
            `messages.${i}: unexpected tool_use_id found in tool_result blocks: ${String(r.tool_use_id)}. ` +
              'Each tool_result block must have a corresponding tool_use block in the previous message.',
          );
        }
      }
    }

    // Every tool_use of an assistant message is answered in the next message.
    const uses = blocksOf(m, 'tool_use');
    if (uses.length > 0 && role === 'assistant') {
      const next = messages.slice(i + 1).find((n) => !isSystem(n));
      const answered = new Set(isRecord(next) ? blocksOf(next, 'tool_result').map((b) => b.tool_use_id) : []);
      const missing = uses.map((u) => u.id).filter((id) => !answered.has(id));
      if (missing.length > 0) {
        problems.push(
          `messages.${i}: tool_use ids were found without tool_result blocks immediately after: ${missing.map(String).join(', ')}. ` +
            'Each tool_use block must have a corresponding tool_result block in the next message.',
        );
      }
    }
    previous = m;
  });
}

function blocksOf(message: Record<string, unknown>, type: string): Record<string, unknown>[] {
  const content = message.content;
  if (!Array.isArray(content)) return [];
  return content.filter((b): b is Record<string, unknown> => isRecord(b) && b.type === type);
}

/** cache_control markers anywhere in a system/tools/messages value (nested tool_result content included). */
export function countCacheControl(value: unknown, depth = 0): number {
  if (depth > 6) return 0;
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + countCacheControl(v, depth + 1), 0);
  if (!isRecord(value)) return 0;
  let n = isRecord(value.cache_control) ? 1 : 0;
  if (Array.isArray(value.content)) n += countCacheControl(value.content, depth + 1);
  return n;
}
