/**
 * Remove tool definitions the agent offers but the rule's author does not want paid for. A tool that the
 * history already called, or that `tool_choice` names, stays: the API rejects tool blocks without their tool.
 * Changing the tool list breaks the prompt cache from the tools on; rules should do it from the first turn.
 */
import { dropThinkingFrom, withMessages } from '../conversation.js';
import type { Action } from '../types.js';

export interface RemoveToolsOptions {
  names: string[];
}

export function removeTools({ names }: RemoveToolsOptions): Action {
  const unwanted = new Set(names);
  return (target) => {
    const tools = target.body.tools;
    if (!Array.isArray(tools)) return target;
    const used = new Set<string>();
    for (const message of target.body.messages) {
      if (!Array.isArray(message.content)) continue;
      for (const block of message.content)
        if (block.type === 'tool_use' && typeof block.name === 'string') used.add(block.name);
    }
    const choice = target.body.tool_choice as { name?: unknown } | undefined;
    if (typeof choice?.name === 'string') used.add(choice.name);
    const kept = tools.filter((t) => !(typeof t.name === 'string' && unwanted.has(t.name) && !used.has(t.name)));
    if (kept.length === tools.length) return target;
    // The tool list is part of the prefix that thinking blocks are bound to.
    return { ...target, body: withMessages({ ...target.body, tools: kept }, dropThinkingFrom(target.body.messages)) };
  };
}
