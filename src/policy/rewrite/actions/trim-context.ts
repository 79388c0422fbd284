/**
 * Trim the context by whole exchanges — never by single messages, which orphans tool results (the bug
 * LiteLLM's and LangChain's trimmers shipped). The history is the first user message, then exchanges of an
 * assistant message and the user message that answers it; the oldest exchanges go first, the first user
 * message and the newest exchange always stay, and the first user message is told how much was removed.
 * Trimming breaks the prompt cache (docs/rewrite-validity.md#trimming-costs-cache): rules should trigger it rarely and by a lot.
 */
import { dropThinkingFrom, withMessages } from '../conversation.js';
import type { Action, AnthropicBody, Message } from '../types.js';

export interface TrimContextOptions {
  /** Remove exchanges until the estimate is at or below this many tokens. */
  targetTokens?: number;
  /** Keep only this many of the newest exchanges. */
  keepExchanges?: number;
  /** Token estimate of a request; default: JSON characters / 4. */
  estimate?: (body: AnthropicBody) => number;
}

export const estimateTokens = (body: unknown): number => Math.ceil(JSON.stringify(body).length / 4);

export function trimContext(options: TrimContextOptions): Action {
  const estimate = options.estimate ?? estimateTokens;
  return (target) => {
    const messages = target.body.messages;
    const exchanges = Math.floor((messages.length - 1) / 2); // pairs after the first user message
    if (exchanges < 2) return target;
    let remove = options.keepExchanges !== undefined ? Math.max(0, exchanges - Math.max(1, options.keepExchanges)) : 0;
    const build = (n: number) => trimmed(target.body, n);
    if (options.targetTokens !== undefined) {
      while (remove < exchanges - 1 && estimate(build(remove)) > options.targetTokens) remove++;
    }
    if (remove === 0) return target;
    return { ...target, body: build(remove) };
  };
}

/** The body without its `n` oldest exchanges. */
function trimmed(body: AnthropicBody, n: number): AnthropicBody {
  if (n === 0) return body;
  const [first, ...rest] = body.messages as [Message, ...Message[]];
  const kept = rest.slice(2 * n);
  const note = { type: 'text', text: `[agenttap: ${2 * n} earlier messages were removed to fit the context]` };
  const head: Message = {
    role: 'user',
    content: [...(typeof first.content === 'string' ? [{ type: 'text', text: first.content }] : first.content), note],
  };
  // Every message after the first one changed position: no thinking block keeps a valid prefix.
  return withMessages(body, dropThinkingFrom([head, ...kept], 1));
}
