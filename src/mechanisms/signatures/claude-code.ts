/**
 * Claude Code's mechanisms, per version line, as data (see ../types.ts for the condition language).
 * Provenance: 2.1.x from the wire of 2.1.112 (`cli.js`) and of the native binaries 2.1.113, 2.1.200, 2.1.274,
 * 2.1.330 and 2.1.333 against the project's mock, `-p` and the TUI (fixtures: tests/fixtures/claude-code/native,
 * facts: docs/claude-code-native.md); 1.0.x from published logs of 1.0.x sessions; 2.0.x is the overlap of both
 * (not verified on the wire: its markers are the ones both neighbours share, so a 2.0.x request either matches a
 * known shape or stays unclassified).
 *
 * Never keyed on a fixed system block index (2.x put a billing header at system[0]) nor on a model name
 * (`ANTHROPIC_SMALL_FAST_MODEL` changes the utility model).
 */
import type { Condition, Signature, SignatureSet } from '../types.js';

const MSG: Condition = { endpoint: 'anthropic.messages' };

export const CLAUDE_CODE_DETECT: Condition = {
  any: [
    { header: { name: 'user-agent', value: 'claude-cli/' } },
    { system: 'x-anthropic-billing-header:' },
    { system: 'You are Claude Code, Anthropic' },
    { system: 'Claude Agent SDK' },
    { system: 'You are an agent for Claude Code' },
  ],
};

const VERSION = [
  { header: 'user-agent', pattern: 'claude-cli/(\\d+\\.\\d+\\.\\d+)' },
  { header: 'system', pattern: 'cc_version=(\\d+\\.\\d+\\.\\d+)' },
];

const FEATURES: SignatureSet['features'] = [
  { id: 'ide-tools', when: { tool: { startsWith: 'mcp__ide__' } } },
  { id: 'mcp-tools', when: { tool: { matches: '^mcp__(?!ide__)' } } },
  {
    id: 'todo-write',
    when: {
      any: [{ responseTool: { equals: 'TodoWrite' } }, { responseTool: { matches: '^Task(Create|Update|List|Get)$' } }],
    },
  },
  { id: 'agent-dispatch', when: { responseTool: { matches: '^(Agent|Task)$' } } },
  { id: 'thinking', when: { thinking: true } },
];

const REMINDERS: SignatureSet['reminders'] = [
  { kind: 'todo', matches: 'todo list|TodoWrite|task tools' },
  { kind: 'ide-selection', matches: 'opened the file|selected the following lines|in the IDE' },
  { kind: 'file-modified', matches: 'was modified, either by the user or by a linter' },
  { kind: 'context', matches: 'claudeMd|CLAUDE\\.md|# currentDate|context:' },
  { kind: 'skills', matches: 'skills? (are|is) available' },
  { kind: 'plan-mode', matches: 'plan mode' },
  {
    kind: 'restored-after-compaction',
    matches: 'Called the \\w+ tool with the following input|Result of calling the \\w+ tool',
  },
];

const sig = (id: string, mechanism: string, evidence: string, when: Condition): Signature => ({
  id,
  mechanism,
  evidence,
  when,
});

const QUOTA = (v: string) =>
  sig(`claude-code@${v}/quota-check`, 'quota-check', 'max_tokens 1, one user message "quota", no system, no tools', {
    all: [MSG, { maxTokens: 1 }, { messageCount: { max: 1 } }, { firstUserText: { equals: 'quota' } }],
  });
const COMPACTION_SYSTEM = (v: string) =>
  sig(
    `claude-code@${v}/compaction/summary-system`,
    'compaction',
    'system "…tasked with summarizing conversations", max_tokens 20000',
    { all: [MSG, { system: 'You are a helpful AI assistant tasked with summarizing conversations' }] },
  );
// A line of its own, not always the first: native 2.1.2xx puts a background agent's `<task-notification>` block
// before it in the same message.
const COMPACTION_INSTRUCTION = (v: string) =>
  sig(
    `claude-code@${v}/compaction/summary-instruction`,
    'compaction',
    'last user text "CRITICAL: Respond with TEXT ONLY…" asking for a summary (main system and tools kept for cache sharing)',
    {
      all: [
        MSG,
        { lastUserText: { matches: '^CRITICAL: Respond with TEXT ONLY', flags: 'm' } },
        { lastUserText: { matches: 'summary of the conversation', flags: 'i' } },
      ],
    },
  );
const SUMMARY_OPENING = 'This session is being continued from a previous conversation';
const POST_COMPACTION = (v: string) =>
  sig(
    `claude-code@${v}/post-compaction`,
    'post-compaction',
    'the current prompt is the summary: "This session is being continued from a previous conversation…"',
    { all: [MSG, { lastUserText: { startsWith: SUMMARY_OPENING } }] },
  );
// Native (2.1.113+): after an automatic compaction the new conversation opens with the summary and replays the
// interrupted tool call, so the last user message holds only its result. A new thread whose only prompt is the
// summary — a prompt typed after a manual `/compact` is a user text of its own (main loop).
const POST_COMPACTION_REPLAY = (v: string) =>
  sig(
    `claude-code@${v}/post-compaction/replay`,
    'post-compaction',
    'a new thread opening with the summary ("This session is being continued…") and no prompt after it (the interrupted tool call replayed)',
    {
      all: [
        MSG,
        { threadPosition: 'first' },
        { firstUserText: { startsWith: SUMMARY_OPENING } },
        { lastUserText: { equals: '' } },
      ],
    },
  );
const FALLBACK = (v: string) =>
  sig(
    `claude-code@${v}/non-streaming-fallback`,
    'non-streaming-fallback',
    'the same request re-sent without `stream` after its stream broke',
    { all: [MSG, { stream: false }, { afterBrokenStream: true }] },
  );
// Explicit labels first: the `x-claude-code-agent-id` header, the billing block's `cc_is_subagent=true`
// (native 2.1.3xx); then the sub-agent system prompt.
const SUB_AGENT = (v: string) =>
  sig(
    `claude-code@${v}/sub-agent`,
    'sub-agent',
    'system "You are an agent for Claude Code…" (or an x-claude-code-agent-id / cc_is_subagent label)',
    {
      all: [
        MSG,
        {
          any: [
            { header: { name: 'x-claude-code-agent-id' } },
            { system: { matches: '^x-anthropic-billing-header:.*cc_is_subagent=true' } },
            { system: 'You are an agent for Claude Code' },
          ],
        },
      ],
    },
  );
const BASH_PREFIX = (v: string) =>
  sig(`claude-code@${v}/bash-prefix-check`, 'bash-prefix-check', '`<policy_spec>` command-prefix prompt', {
    all: [MSG, { any: [{ system: '<policy_spec>' }, { firstUserText: '<policy_spec>' }] }],
  });
const COUNT_TOKENS = (v: string) =>
  sig(`claude-code@${v}/count-tokens`, 'count-tokens', 'POST /v1/messages/count_tokens', {
    endpoint: 'anthropic.count_tokens',
  });

export const CLAUDE_CODE_1_0: SignatureSet = {
  agent: 'claude-code',
  label: 'Claude Code 1.0.x',
  versions: ['1.0.'],
  detect: CLAUDE_CODE_DETECT,
  version: VERSION,
  features: FEATURES,
  reminders: REMINDERS,
  signatures: [
    COUNT_TOKENS('1.0'),
    QUOTA('1.0'),
    sig(
      'claude-code@1.0/topic-detection',
      'topic-detection',
      'system "Analyze if this message indicates a new conversation topic…"',
      { all: [MSG, { system: 'Analyze if this message indicates a new conversation topic' }] },
    ),
    sig(
      'claude-code@1.0/session-title',
      'session-title',
      'system "Summarize this coding conversation in under 50 characters…"',
      { all: [MSG, { system: 'Summarize this coding conversation in under 50 characters' }] },
    ),
    BASH_PREFIX('1.0'),
    COMPACTION_SYSTEM('1.0'),
    COMPACTION_INSTRUCTION('1.0'),
    POST_COMPACTION('1.0'),
    SUB_AGENT('1.0'),
    sig(
      'claude-code@1.0/main-loop',
      'main-loop',
      'system "You are Claude Code, Anthropic\'s official CLI for Claude." with tools',
      {
        all: [
          MSG,
          { system: { startsWith: "You are Claude Code, Anthropic's official CLI for Claude." } },
          { toolCount: { min: 1 } },
        ],
      },
    ),
  ],
};

export const CLAUDE_CODE_2_0: SignatureSet = {
  agent: 'claude-code',
  label: 'Claude Code 2.0.x',
  versions: ['2.0.'],
  detect: CLAUDE_CODE_DETECT,
  version: VERSION,
  features: FEATURES,
  reminders: REMINDERS,
  signatures: [
    COUNT_TOKENS('2.0'),
    QUOTA('2.0'),
    sig(
      'claude-code@2.0/session-title',
      'session-title',
      'title prompt ("Summarize this coding conversation…" or "Generate a concise, sentence-case title…")',
      {
        all: [
          MSG,
          {
            any: [
              { system: 'Summarize this coding conversation in under 50 characters' },
              { system: 'Generate a concise, sentence-case title' },
            ],
          },
        ],
      },
    ),
    sig(
      'claude-code@2.0/permission-explainer',
      'permission-explainer',
      'system "Analyze shell commands and explain what they do…"',
      { all: [MSG, { system: 'Analyze shell commands and explain what they do' }] },
    ),
    BASH_PREFIX('2.0'),
    COMPACTION_SYSTEM('2.0'),
    COMPACTION_INSTRUCTION('2.0'),
    FALLBACK('2.0'),
    POST_COMPACTION('2.0'),
    SUB_AGENT('2.0'),
    sig('claude-code@2.0/main-loop', 'main-loop', 'Claude Code identity in the system prompt, with tools', {
      all: [
        MSG,
        {
          any: [
            { system: "You are Claude Code, Anthropic's official CLI for Claude." },
            { system: "You are a Claude agent, built on Anthropic's Claude Agent SDK." },
          ],
        },
        { toolCount: { min: 1 } },
      ],
    }),
  ],
};

export const CLAUDE_CODE_2_1: SignatureSet = {
  agent: 'claude-code',
  label: 'Claude Code 2.1.x',
  versions: ['2.1.'],
  detect: CLAUDE_CODE_DETECT,
  version: VERSION,
  features: FEATURES,
  reminders: REMINDERS,
  signatures: [
    sig('claude-code@2.1/warm-up', 'warm-up', '`HEAD` of the base URL without a body, at start', {
      all: [{ method: 'HEAD' }, { hasBody: false }],
    }),
    COUNT_TOKENS('2.1'),
    QUOTA('2.1'),
    sig(
      'claude-code@2.1/session-title',
      'session-title',
      'system "Generate a concise, sentence-case title (3-7 words)…", json_schema output {title}',
      { all: [MSG, { system: 'Generate a concise, sentence-case title' }] },
    ),
    sig(
      'claude-code@2.1/session-title/naming',
      'session-title',
      'system "You are naming a coding session…" (2.1.274+), no tools, json_schema output {title}',
      { all: [MSG, { system: 'You are naming a coding session' }, { toolCount: { max: 0 } }] },
    ),
    sig(
      'claude-code@2.1/permission-explainer',
      'permission-explainer',
      'system "Analyze shell commands and explain what they do…", forced tool explain_command',
      { all: [MSG, { system: 'Analyze shell commands and explain what they do' }] },
    ),
    COMPACTION_INSTRUCTION('2.1'),
    COMPACTION_SYSTEM('2.1'),
    FALLBACK('2.1'),
    POST_COMPACTION('2.1'),
    POST_COMPACTION_REPLAY('2.1'),
    SUB_AGENT('2.1'),
    sig(
      'claude-code@2.1/main-loop',
      'main-loop',
      'system "You are an interactive agent that helps users with software engineering tasks." (2.1.112–2.1.2xx, after the billing header and identity blocks)',
      { all: [MSG, { system: 'You are an interactive agent that helps users with software engineering tasks' }] },
    ),
    sig(
      'claude-code@2.1/main-loop/goals',
      'main-loop',
      'system "You are an agent working with the user toward their goals…" (2.1.33x, after the billing header and identity blocks)',
      { all: [MSG, { system: 'You are an agent working with the user toward their goals' }] },
    ),
    BASH_PREFIX('2.1'),
  ],
};

export const CLAUDE_CODE_SETS: SignatureSet[] = [CLAUDE_CODE_1_0, CLAUDE_CODE_2_0, CLAUDE_CODE_2_1];
