/**
 * The shape rewrite actions work on: an Anthropic Messages request (the body) plus the headers an action may
 * need to add (e.g. a beta flag). Actions are pure: they return a new request, or the same object when
 * nothing applies, and never mutate their input.
 */
export type Block = Record<string, unknown> & { type: string };

export interface Message {
  role: 'user' | 'assistant';
  content: string | Block[];
}

export type AnthropicBody = Record<string, unknown> & {
  model: string;
  max_tokens?: number;
  messages: Message[];
  system?: string | Block[];
  tools?: (Record<string, unknown> & { name?: string })[];
  thinking?: { type: string; budget_tokens?: number };
};

export interface RewriteTarget {
  body: AnthropicBody;
  /** Headers to set on the outgoing request (lower-case names). */
  headers: Record<string, string>;
}

export type Action = (target: RewriteTarget) => RewriteTarget;
