/**
 * Let the API clear old tool results and thinking itself (Anthropic `context_management`), instead of
 * trimming here: the server reports `cleared_input_tokens` and the agent's history stays as it sent it.
 * Edits the agent already asked for are kept; ours are added only for kinds it did not ask for.
 */
import type { Action } from '../types.js';

export const CONTEXT_MANAGEMENT_BETA = 'context-management-2025-06-27';

export interface ContextManagementOptions {
  /** Clear old tool uses once the input passes `triggerTokens`, keeping the newest `keep`. */
  clearToolUses?: { triggerTokens?: number; keep?: number; clearAtLeastTokens?: number };
  /** Clear thinking of all but the newest `keepTurns` assistant turns. */
  clearThinking?: { keepTurns?: number };
}

export function contextManagement(options: ContextManagementOptions): Action {
  return (target) => {
    const existing = (target.body.context_management as { edits?: { type?: string }[] } | undefined)?.edits ?? [];
    const has = (prefix: string) => existing.some((e) => typeof e.type === 'string' && e.type.startsWith(prefix));
    const edits: Record<string, unknown>[] = [];
    // clear_thinking must come first among the edits, and needs thinking on.
    if (options.clearThinking && !has('clear_thinking') && target.body.thinking) {
      edits.push({
        type: 'clear_thinking_20251015',
        ...(options.clearThinking.keepTurns !== undefined
          ? { keep: { type: 'thinking_turns', value: options.clearThinking.keepTurns } }
          : {}),
      });
    }
    if (options.clearToolUses && !has('clear_tool_uses')) {
      const o = options.clearToolUses;
      edits.push({
        type: 'clear_tool_uses_20250919',
        ...(o.triggerTokens !== undefined ? { trigger: { type: 'input_tokens', value: o.triggerTokens } } : {}),
        ...(o.keep !== undefined ? { keep: { type: 'tool_uses', value: o.keep } } : {}),
        ...(o.clearAtLeastTokens !== undefined
          ? { clear_at_least: { type: 'input_tokens', value: o.clearAtLeastTokens } }
          : {}),
      });
    }
    if (edits.length === 0) return target;
    const ordered = [
      ...edits.filter((e) => String(e.type).startsWith('clear_thinking')),
      ...existing,
      ...edits.filter((e) => !String(e.type).startsWith('clear_thinking')),
    ];
    const betas = (target.headers['anthropic-beta'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    return {
      body: { ...target.body, context_management: { ...(target.body.context_management as object), edits: ordered } },
      headers: { ...target.headers, 'anthropic-beta': [...new Set([...betas, CONTEXT_MANAGEMENT_BETA])].join(',') },
    };
  };
}
