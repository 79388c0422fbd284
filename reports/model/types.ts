/**
 * The report model: everything every renderer (HTML, Markdown, terminal, `--json`) shows, built once by
 * `buildReport`. Plain JSON; times are ms from the session's first event; token counts as the API reported.
 * Captured content (prompts, replies) is not in the model: the HTML carries it apart, by hash, as inert data.
 */
import type { SimulationSummary } from './simulation.js';
import type { Classification } from '../../src/mechanisms/types.js';

export interface TokenUsage {
  /** Uncached input tokens. */
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** One exchange as the report shows it; its classification (agent, mechanism, signature, reasons, features) included. */
export interface ExchangeRow extends Classification {
  /** Index in `exchanges` (time order). */
  i: number;
  id: string;
  pid: number;
  /** Thread id, `<pid>:<n>`; absent for calls without messages (warm-up). */
  thread?: string;
  /** Row index of the request this one extends (same thread). */
  parent?: number;
  /** Messages this request shares with its parent. */
  parentMessages?: number;
  start: number;
  duration?: number;
  ttfb?: number;
  ttft?: number;
  method: string;
  endpoint: string;
  layer: string;
  path: string;
  status?: number;
  outcome?: string;
  stream: boolean;
  model?: string;
  responseModel?: string;
  usage: TokenUsage;
  /** USD; absent when the model has no price. */
  cost?: number;
  /** Request size in bytes of JSON: system prompt, tool definitions, messages; `count` messages. */
  context: { system: number; tools: number; messages: number; count: number };
  stop?: string;
  error?: string;
  spawnedBy?: { exchange: number; toolUseId: string; tool: string };
  /** Kinds of the `<system-reminder>` blocks this request added. */
  reminders: string[];
  /** What the rewrite rules decided for this exchange (`rewrite.applied`); absent when no rule matched. */
  rewrite?: ExchangeRewrite;
  /** A retry (src/reports/retries.ts): the row of the call's first attempt, whose mechanism this row carries. */
  retryOf?: number;
  /** This row's attempt number (2, 3, …) when it is a retry. */
  attempt?: number;
  /** On a first attempt that was retried: every attempt's row, this one first. */
  attempts?: number[];
  /** The agent's own name for this call (`exchange.label`: Claude Code's `query_source`), beside the signature's. */
  agentLabel?: AgentLabel;
}

export interface AgentLabel {
  /** Who gave it: `claude-code`. */
  source: string;
  label: string;
  /** agenttap's mechanism for it (src/mechanisms/agent-labels.ts); absent for a label the table does not know. */
  mechanism?: string;
  /** The row's mechanism (the signature's) is one the label allows. */
  agrees: boolean;
}

/** How the signatures' mechanisms compare with the agent's own labels, over the labelled exchanges. */
export interface AgentLabelSummary {
  labelled: number;
  agree: number;
  /** Each pair signature mechanism → agent label that disagrees, with its count, most frequent first. */
  disagreements: { signature: string; agent: string; count: number }[];
}

/** One distinct request shape among the `unclassified` exchanges: what a new signature has to match. */
export interface UnclassifiedShape {
  /** `model | system head | tools | first user text head`: equal keys, one shape. */
  key: string;
  model?: string;
  system: string;
  tools: string[];
  firstUser: string;
  calls: number;
  /** Row index of its first exchange. */
  first: number;
}

/**
 * `sent`: the rewritten request went out (the row's request is the rewritten one). `dry-run`: the rules would
 * have rewritten it; the original went out. `rejected`: the rewrite was refused (validity check, a hook that
 * threw or timed out, a signed request) and the original went out — also for a dry run whose rewrite failed.
 */
export type RewriteState = 'sent' | 'dry-run' | 'rejected';

/** One change as the log summarised it: `[before, after]` (model, max_tokens, messages, tools, chars) or a word (thinking "removed"). */
export type RewriteChangeValue = [string | number, string | number] | string;

export interface CacheTokens {
  read: number;
  write: number;
}

export interface ExchangeRewrite {
  /** Rule ids in the order they applied. */
  rules: string[];
  /** The actions of `rules[k]`, at `actions[k]`. */
  actions: string[][];
  state: RewriteState;
  change: Record<string, RewriteChangeValue>;
  /** Estimated input tokens (cached included) of the original and the rewritten request; from the thread's last usage or from size. */
  tokens?: { before: number; after: number; basis?: 'usage' | 'size' };
  /** Estimated input cost, USD, prompt-cache aware; absent for an unpriced model. */
  cost?: { before: number; after: number };
  cache?: { before: CacheTokens; after: CacheTokens };
  /** Why the rewrite was not sent (state `rejected`). */
  rejected?: string[];
}

/** Sums of the rewrites' own estimates (input side only). */
export interface RewriteEstimate {
  /** Rewrites counted here. */
  calls: number;
  /** Σ before and Σ after over the rewrites with a token estimate; `noTokens` have none. */
  tokens: { before: number; after: number };
  noTokens: number;
  /** Σ before and Σ after over the rewrites with a cost estimate; `unpriced` have none. */
  cost: { before: number; after: number };
  unpriced: number;
}

export interface RewriteFigures {
  calls: number;
  sent: number;
  dryRun: number;
  rejected: number;
  /** Sent rewrites: the estimated input they saved. */
  saved: RewriteEstimate;
  /** Dry runs: the estimated input they would have saved. */
  wouldSave: RewriteEstimate;
  /**
   * Sent rewrites whose exchange is in the log with a price and that carry a cost estimate: `cost` is what they
   * cost (the rows' `cost`: input, output and cache at the response's usage), `original` the estimate of what the
   * unrewritten requests would have cost, `cost` + Σ(cost.before − cost.after).
   */
  actual: { calls: number; cost: number; original: number };
}

/** The rewrites of one rule set: the exchanges whose applied rules, joined with "+", are `rules`. */
export interface RewriteGroup extends RewriteFigures {
  rules: string;
}

export interface RewriteRuleCount {
  rule: string;
  /** Exchanges the rule applied to (an exchange with several rules counts under each). */
  calls: number;
  sent: number;
  dryRun: number;
  rejected: number;
  actions: string[];
}

/**
 * The session's rewrite savings. Each exchange is in exactly one group (its rule set), so groups add up to
 * `totals` and a saving is never counted twice; `rules` counts every rule an exchange had.
 */
export interface RewriteSummary {
  rules: RewriteRuleCount[];
  groups: RewriteGroup[];
  totals: RewriteFigures & {
    /** Estimated input saving of the sent rewrites, USD, and as a percentage of their estimated input cost before. */
    saving: { usd: number; pct?: number };
  };
  /** Why rewrites were refused, most frequent first (an exchange may give several reasons). */
  rejections: { reason: string; count: number }[];
  /** Decisions whose exchange has no request in the log (its record dropped or lost): in the counts and estimates, never in `actual`. */
  unlinked: number;
}

export interface ThreadRow {
  id: string;
  pid: number;
  /** Row indices, in order. */
  exchanges: number[];
  /** The mechanism most of its calls have. */
  mechanism: string;
  spawnedBy?: { exchange: number; toolUseId: string; tool: string };
  /** Thread this one continues after a compaction, and the compaction call. */
  compactedFrom?: { thread: string; exchange: number };
}

export interface Stat {
  p50?: number;
  p95?: number;
}

export interface MechanismSummary {
  id: string;
  label: string;
  /** Exchanges: a call and its retries count once. */
  calls: number;
  /** Retry attempts on top of `calls` (each an HTTP attempt of its own in the log). */
  retries: number;
  usage: TokenUsage;
  /** Sum over priced calls; `unpriced` counts calls whose model has no price. */
  cost: number;
  unpriced: number;
  latency: Stat;
  ttft: Stat;
  models: string[];
  errors: number;
}

export interface SystemAnatomy {
  hash: string;
  bytes: number;
  blocks: { bytes: number; preview: string; hash: string }[];
  mechanisms: string[];
  calls: number;
}

export interface ToolsetAnatomy {
  hash: string;
  bytes: number;
  tools: { name: string; bytes: number }[];
  mechanisms: string[];
  calls: number;
}

export interface ReminderRow {
  exchange: number;
  kind: string;
  bytes: number;
  preview: string;
  hash: string;
}

export interface ReportModel {
  format: 'agenttap.report';
  version: 1;
  session: {
    id: string;
    path: string;
    files: number;
    bytes: number;
    processes: { pid: number; argv: string[]; cwd?: string; node?: string; agenttap?: string }[];
    /** Epoch ms of the first event. */
    startedAt: number;
    duration: number;
    /** Reader warnings (torn lines, unknown events), first 100. */
    warnings: string[];
    tapWarnings: number;
    unknownEvents: Record<string, number>;
  };
  agents: { agent: string; version?: string; calls: number }[];
  /** Lane order: by first call. */
  mechanisms: MechanismSummary[];
  totals: { calls: number; retries: number; usage: TokenUsage; cost: number; unpriced: number };
  exchanges: ExchangeRow[];
  threads: ThreadRow[];
  /** The main line (main loop and its continuations after compaction), for the context growth chart. */
  mainLine: number[];
  anatomy: { systems: SystemAnatomy[]; toolsets: ToolsetAnatomy[]; reminders: ReminderRow[]; remindersOmitted: number };
  prices: { asOf?: string; unpricedModels: string[] };
  /** Present when the log has `rewrite.applied` events. */
  rewrites?: RewriteSummary;
  /** Present when the log has `exchange.label` events (the agent labels its own calls). */
  agentLabels?: AgentLabelSummary;
  /** Present with `agenttap report --simulate RULES`: the rules tried on this session (simulation.ts). */
  simulation?: SimulationSummary;
  /** The distinct shapes of the `unclassified` exchanges (first 50), most calls first. */
  unclassifiedShapes: UnclassifiedShape[];
}
