/**
 * Mechanism signatures are data: JSON-able conditions over the facts of one exchange (its request shape,
 * its labels, its place in a thread). Shipped sets live in `signatures/`; a user adds sets in a JSON file of
 * the same shape (`agenttap report --signatures <file>`), validated by `SignatureFile` in `user-file.ts`.
 * Shared with the rewrite rules at run time: a rule can target a mechanism by evaluating the same sets.
 */

/** A string means "contains"; the object form picks the test. `matches` is a RegExp source. */
export type TextMatch =
  | string
  | { equals?: string; startsWith?: string; contains?: string; matches?: string; flags?: string };
export interface Range {
  min?: number;
  max?: number;
}

/** Every field present must hold (an implicit AND); `all`/`any`/`not` compose. */
export interface Condition {
  all?: Condition[];
  any?: Condition[];
  not?: Condition;
  /** HTTP method, e.g. "HEAD". */
  method?: string;
  /** Endpoint kind(s) as logged: anthropic.messages, anthropic.count_tokens, openai.chat, openai.responses, custom. */
  endpoint?: string | string[];
  path?: TextMatch;
  /** A request header is present (and, with `value`, matches). Names are lower case. */
  header?: { name: string; value?: TextMatch };
  hasBody?: boolean;
  model?: TextMatch;
  /** Some system block (Anthropic `system`, OpenAI system/developer messages or `instructions`) matches. */
  system?: TextMatch;
  noSystem?: boolean;
  /** Some offered tool's name matches. */
  tool?: TextMatch;
  toolCount?: Range;
  /** The request forces this tool (`tool_choice`). */
  toolChoice?: string;
  maxTokens?: number | Range;
  stream?: boolean;
  /** Extended thinking requested (any `thinking.type` but "disabled"). */
  thinking?: boolean;
  /** Structured output requested (`output_config.format` / `response_format` / `text.format`). */
  outputFormat?: { type?: string; property?: string };
  messageCount?: Range;
  /** Text of the first / last user message, `<system-reminder>` blocks left out (first 2000 characters). */
  firstUserText?: TextMatch;
  lastUserText?: TextMatch;
  /** The last message carries tool results only (a tool round-trip). */
  toolResults?: boolean;
  /** The response called a tool whose name matches. */
  responseTool?: TextMatch;
  /** Thread structure. */
  threadPosition?: 'first' | 'continues';
  /** The thread was started by a tool_use (sub-agent); with a string, by a tool of that name. */
  spawned?: boolean | string;
  /** The process's primary thread (its longest thread not started by a tool_use). */
  primaryThread?: boolean;
  /** The same request was just sent streaming and its stream broke. */
  afterBrokenStream?: boolean;
}

export interface Signature {
  /** Stable id, `<agent>@<versions>/<mechanism>[/variant]`. */
  id: string;
  /** The mechanism (lane) this signature labels: main-loop, sub-agent, compaction, … */
  mechanism: string;
  /** What the evidence is, in a sentence (shown next to the label). */
  evidence?: string;
  when: Condition;
}

export interface SignatureSet {
  /** Agent id, e.g. "claude-code", "generic". */
  agent: string;
  label: string;
  /** Version prefixes this set is for ("2.1." matches 2.1.112); absent: any version. */
  versions?: string[];
  /** Is an exchange from this agent? */
  detect: Condition;
  /** Where the agent version is written: a header and a RegExp whose group 1 is the version. */
  version?: { header: string; pattern: string }[];
  /** First match wins, so specific signatures come first. */
  signatures: Signature[];
  /** Tags shown on an exchange (IDE/MCP tools, todo list use); every matching one applies. */
  features?: { id: string; when: Condition }[];
  /** Kinds of `<system-reminder>` block, by a RegExp on its text; first match wins, else "other". */
  reminders?: { kind: string; matches: string }[];
}

/** Human labels of the mechanisms the shipped sets use; anything else is shown as its id. */
export const MECHANISM_LABELS: Record<string, string> = {
  'main-loop': 'Main agent loop',
  'tool-round-trip': 'Tool round-trip',
  'sub-agent': 'Sub-agent',
  'sub-conversation': 'Sub-conversation',
  'session-title': 'Session title',
  'topic-detection': 'Topic detection',
  compaction: 'Compaction (summary)',
  'post-compaction': 'Post-compaction continuation',
  'warm-up': 'Connection warm-up',
  'quota-check': 'Quota check',
  'non-streaming-fallback': 'Non-streaming fallback',
  'bash-prefix-check': 'Bash prefix check',
  'permission-explainer': 'Permission explainer',
  'count-tokens': 'Count tokens',
  unclassified: 'Unclassified',
};

/** What the classifier sees of one exchange: plain data, computed by the report reader. */
export interface ExchangeFacts {
  method: string;
  endpoint: string;
  path: string;
  hasBody: boolean;
  headers: Readonly<Record<string, string>>;
  model?: string;
  maxTokens?: number;
  stream: boolean;
  system: readonly string[];
  tools: readonly string[];
  toolChoice?: string;
  thinking: boolean;
  outputFormat?: { type: string; properties: string[] };
  messageCount: number;
  firstUserText: string;
  lastUserText: string;
  toolResults: boolean;
  responseTools: readonly string[];
  threadPosition: 'first' | 'continues';
  spawnedBy?: string;
  primaryThread: boolean;
  afterBrokenStream: boolean;
}

export interface Classification {
  agent: string;
  agentVersion?: string;
  /** Mechanism id, or "unclassified". */
  mechanism: string;
  /** The signature that matched. */
  signature?: string;
  /** Why: the evidence of the match, or for "unclassified" what each candidate lacked. */
  reasons: string[];
  features: string[];
}
