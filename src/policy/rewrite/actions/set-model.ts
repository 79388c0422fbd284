/** Swap the model (one target, or a map from the agent's model to another). */
import { dropThinkingFrom, withMessages } from '../conversation.js';
import type { Action } from '../types.js';

export interface SetModelOptions {
  to?: string;
  map?: Record<string, string>;
}

export function setModel(options: SetModelOptions): Action {
  return (target) => {
    const next = options.map?.[target.body.model] ?? options.to;
    if (!next || next === target.body.model) return target;
    // Thinking signatures bind to the model that made them: another model rejects them (docs/rewrite-validity.md#thinking-signatures).
    return { ...target, body: withMessages({ ...target.body, model: next }, dropThinkingFrom(target.body.messages)) };
  };
}
