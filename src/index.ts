/**
 * agenttap as a library: what `import … from 'agenttap'` gives. Capture itself is not here — it runs from the
 * loader (`node --import agenttap/loader`), the Bun preload (`agenttap/bun`) or `agenttap proxy` — and nothing
 * internal is (taps, recorder, redactor, CLI): only
 *   - the mock model API (Anthropic Messages, OpenAI Chat Completions and Responses on loopback), for tests;
 *   - the session log's event types and its reader (blobs expanded);
 *   - the report builder and its renderers;
 *   - the rewrite rules: the file format, its loader, the engine and the step the taps run;
 *   - replay: a recorded session served back as the model (`replaySession`), for agent tests.
 */
export {
  startMock,
  defaultScript,
  loadScriptFile,
  parseScriptFile,
  validateAnthropicRequest,
  type Fault,
  type MockApi,
  type MockOptions,
  type MockServer,
  type MockUsage,
  type ParsedRequest,
  type ReceivedRequest,
  type Script,
  type ScriptFile,
  type ScriptFunction,
  type ToolSpec,
  type ToolUse,
  type Turn,
} from './mock/index.js';

export { LOG_VERSION, LogEvent, type EventBody, type EventName, type EventOf } from './log/events.js';
export { readExpanded, sessionFiles, type ReadLine, type ReadOptions } from './log/read.js';

export {
  buildReport,
  renderMarkdown,
  renderTerminal,
  reportHtml,
  ReportOutputError,
  type BuildOptions,
  type HtmlOptions,
  type ReportModel,
} from '../reports/index.js';

export { RulesFile, type ActionSpec, type Rule } from './policy/rewrite/rules-schema.js';
export { loadRules } from './policy/rewrite/rules-load.js';
export { compileRules, type ChangeSummary, type RewriteDecision, type RewriteEngine } from './policy/rewrite/engine.js';
export type { RequestView } from './policy/rewrite/match.js';
export {
  createRulesStep,
  type OutgoingRequest,
  type RulesOutcome,
  type RulesStep,
  type RulesStepOptions,
} from './policy/rewrite/runtime.js';
export { loadPriceTable, type PriceTable } from './pricing/index.js';

export {
  replaySession,
  type ReplayHit,
  type ReplayMiss,
  type ReplayOptions,
  type ReplaySession,
} from './replay/index.js';

export { AgentTapError, type ErrorCode } from './errors.js';
