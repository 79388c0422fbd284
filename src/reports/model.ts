/**
 * The report model: everything every renderer (HTML, Markdown, terminal, `--json`) shows, built once by
 * `buildReport`. Plain JSON; times are ms from the session's first event; token counts as the API reported.
 * Captured content (prompts, replies) is not in the model: the HTML carries it apart, by hash, as inert data.
 */
import type { Classification } from '../mechanisms/types.js';

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
  calls: number;
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
  totals: { calls: number; usage: TokenUsage; cost: number; unpriced: number };
  exchanges: ExchangeRow[];
  threads: ThreadRow[];
  /** The main line (main loop and its continuations after compaction), for the context growth chart. */
  mainLine: number[];
  anatomy: { systems: SystemAnatomy[]; toolsets: ToolsetAnatomy[]; reminders: ReminderRow[]; remindersOmitted: number };
  prices: { asOf?: string; unpricedModels: string[] };
}
