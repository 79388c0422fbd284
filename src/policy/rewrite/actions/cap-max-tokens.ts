/** Cap `max_tokens` — never at or below the thinking budget, which the API rejects. */
import type { Action } from '../types.js';

export interface CapMaxTokensOptions {
  max: number;
}

export function capMaxTokens({ max }: CapMaxTokensOptions): Action {
  return (target) => {
    const current = target.body.max_tokens;
    const thinking = target.body.thinking;
    const floor =
      thinking?.type === 'enabled' && typeof thinking.budget_tokens === 'number' ? thinking.budget_tokens + 1 : 1;
    const capped = Math.max(max, floor);
    if (current === undefined || capped >= current) return target;
    return { ...target, body: { ...target.body, max_tokens: capped } };
  };
}
