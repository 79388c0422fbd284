/**
 * An agent's own names for its calls, in agenttap's mechanism names: native Claude Code's `query_source`
 * (joined from its raw-body index as `exchange.label`, see src/run/claude-labels.ts; PITFALLS N3–N4).
 *
 * One table, read by the report to put the agent's label beside the signature's and count where they
 * disagree: a signature that drifted in a new Claude Code version shows on its first run. The values were
 * read from the 2.1.112 `cli.js` and the 2.1.330 native binary (`querySource:"…"` literals); a value not in
 * the table has no mechanism, and the report lists it as it came.
 */

export interface AgentLabelMeaning {
  /** The mechanism the label names. */
  mechanism: string;
  /** Signature mechanisms that agree with it (the label's own included): the main thread is one label, three lanes. */
  agrees: readonly string[];
}

const MAIN = {
  mechanism: 'main-loop',
  agrees: ['main-loop', 'tool-round-trip', 'post-compaction', 'non-streaming-fallback'],
} as const;
const one = (mechanism: string): AgentLabelMeaning => ({ mechanism, agrees: [mechanism] });

/** Claude Code's `query_source` → mechanism. Exact values; `agent:` prefixes below. */
const CLAUDE_CODE: Record<string, AgentLabelMeaning> = {
  sdk: MAIN,
  repl_main_thread: MAIN,
  compact: one('compaction'),
  generate_session_title: one('session-title'),
  teleport_generate_title: one('session-title'),
  rename_generate_name: one('session-title'),
  bash_extract_prefix: one('bash-prefix-check'),
  permission_explainer: one('permission-explainer'),
  auto_mode: one('permission-classifier'),
  auto_mode_critique: one('permission-classifier'),
  agent_classifier: one('permission-classifier'),
  web_fetch_apply: one('web-fetch-summary'),
  web_search_tool: one('web-search'),
  hook_prompt: one('hook'),
  hook_agent: one('hook'),
  extract_memories: one('memory'),
  extract_memories_first_look: one('memory'),
  session_memory: one('memory'),
  auto_dream: one('memory'),
  prompt_suggestion: one('prompt-suggestion'),
  tool_use_summary_generation: one('tool-use-summary'),
  agent_summary: one('agent-summary'),
  away_summary: one('away-summary'),
  side_question: one('side-question'),
  model_validation: one('model-validation'),
  resume_cache_warm: one('warm-up'),
};

const PREFIXES: [prefix: string, meaning: AgentLabelMeaning][] = [
  ['agent:', { mechanism: 'sub-agent', agrees: ['sub-agent', 'sub-conversation'] }],
];

/** What an agent's own label means in agenttap's names; undefined for a label the table does not know. */
export function agentLabelMeaning(source: string, label: string): AgentLabelMeaning | undefined {
  if (source !== 'claude-code') return undefined;
  if (Object.hasOwn(CLAUDE_CODE, label)) return CLAUDE_CODE[label];
  return PREFIXES.find(([p]) => label.startsWith(p))?.[1];
}
