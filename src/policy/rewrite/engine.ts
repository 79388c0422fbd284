/**
 * The rules engine: rules compiled once; per request, the matching rules' actions run in order, the result
 * is checked (validity.ts), and a decision comes back — the rewritten request, or the original with the
 * reason. The caller (the fetch tap, or the SDK layer for signed requests) sends it; in a dry run it sends
 * the original and logs the decision.
 *
 *   request ──► match rule 1 ──► actions ──► … rule n (unless a rule said stop) ──► checkRewrite ──► decision
 */
import {
  capMaxTokens,
  contextManagement,
  dropThinking,
  hook,
  HookError,
  removeTools,
  setModel,
  trimContext,
  truncateLarge,
} from './actions/index.js';
import { maxTokensField } from '../../exchange/body.js';
import { compileMatch, inputTokensOf, type Matcher, type RequestView } from './match.js';
import type { ActionSpec, RulesFile } from './rules-schema.js';
import type { Action, AnthropicBody, RewriteTarget } from './types.js';
import { checkRewrite } from './validity.js';
import { checkOpenAIRewrite } from './validity-openai.js';
import {
  capOutputOpenAI,
  setModelOpenAI,
  truncateOpenAI,
  type OpenAIAction,
  type OpenAIEndpoint,
} from './actions/openai.js';

export interface ChangeSummary {
  model?: [string, string];
  max_tokens?: [number | undefined, number | undefined];
  messages?: [number, number];
  tools?: [number, number];
  thinking?: 'removed';
  context_management?: 'added';
  /** Request body size (JSON characters) before and after. */
  chars: [number, number];
}

export interface RewriteDecision {
  /** Rules that matched, in order, with the actions they ran. */
  applied: { rule: string; actions: string[] }[];
  /** The request to send instead of the original; absent when nothing changed or the result was rejected. */
  rewritten?: RewriteTarget;
  /** The rewritten body, serialised. */
  json?: string;
  /** Why a rewrite was not used (invalid result, unsupported endpoint). */
  rejected?: string[];
  change?: ChangeSummary;
  /** Estimated input tokens before and after (scaled from the known usage when there is one). */
  tokens?: [number, number];
}

export type RewriteEngine = (request: RequestView) => RewriteDecision;

/** An action as the engine runs it: hooks also see what the engine knows of the request. */
type Step = (target: RewriteTarget, request: RequestView) => RewriteTarget;

export function compileRules(file: RulesFile): RewriteEngine {
  const rules = file.rules.map((rule) => ({
    rule,
    matches: compileMatch(rule.match) as Matcher,
    steps: rule.actions.map((a) => buildStep(rule.id, a)),
  }));
  return (request) => {
    const applied: RewriteDecision['applied'] = [];
    const chosen: { rule: string; step: Step }[] = [];
    for (const { rule, matches, steps } of rules) {
      const matched = attempt(() => matches(request), `rule "${rule.id}": its match failed`);
      if (matched instanceof Failure)
        return { applied: [...applied, { rule: rule.id, actions: [] }], rejected: [matched.reason] };
      if (!matched) continue;
      applied.push({ rule: rule.id, actions: rule.actions.map((a) => a.type) });
      chosen.push(...steps.map((step) => ({ rule: rule.id, step })));
      if (rule.stop) break;
    }
    if (applied.length === 0) return { applied };
    const original = request.body as AnthropicBody;
    let out: RewriteTarget = { body: original, headers: request.headers };
    for (const { rule, step } of chosen) {
      const next = attempt(() => step(out, request), `rule "${rule}"`);
      // A rule that throws (or a hook past its time limit) spoils the whole rewrite: the original goes out.
      if (next instanceof Failure) return { applied, rejected: [next.reason] };
      out = next;
    }
    if (out.body === original && out.headers === request.headers) return { applied };
    const problems =
      request.endpoint === 'anthropic.messages'
        ? checkRewrite(original, out.body)
        : checkOpenAIRewrite(request.endpoint as OpenAIEndpoint, out.body);
    if (problems.length > 0) return { applied, rejected: problems };
    const before = inputTokensOf(request);
    // Each body serialised once: its size for the summary and the estimate, and the rewritten one to send.
    const json = JSON.stringify(out.body);
    const beforeChars = request.bodyChars ?? JSON.stringify(original).length;
    const ratio = json.length / beforeChars;
    return {
      applied,
      rewritten: out,
      json,
      change: summarise(original, out.body, [beforeChars, json.length]),
      tokens: [before, Math.round(before * ratio)],
    };
  };
}

/** An action asked of a request it has no meaning for: the rewrite is refused, with this reason. */
class NotApplicable extends Error {}

class Failure {
  constructor(readonly reason: string) {}
}

function attempt<T>(fn: () => T, what: string): T | Failure {
  try {
    return fn();
  } catch (err) {
    return new Failure(
      err instanceof HookError || err instanceof NotApplicable
        ? `${what}: ${err.message}`
        : `${what}: threw ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

function buildStep(ruleId: string, spec: ActionSpec): Step {
  if (spec.type === 'hook') {
    if (!spec.fn) throw new Error(`rule "${ruleId}": hook module ${spec.module} was not loaded (loadRules loads it)`);
    const run = hook({
      fn: spec.fn,
      timeoutMs: spec.timeoutMs,
      name: `hook ${spec.module ? `${spec.module}#${spec.export ?? 'default'}` : spec.fn.name || '(anonymous)'}`,
    });
    return (target, request) =>
      run(target, { mechanism: request.mechanism, provider: request.provider, endpoint: request.endpoint });
  }
  const anthropic = buildAction(spec);
  const openai = buildOpenAIAction(spec);
  return (target, request) => {
    if (request.endpoint === 'anthropic.messages') return anthropic(target);
    if (openai && (request.endpoint === 'openai.chat' || request.endpoint === 'openai.responses'))
      return openai(target, request.endpoint);
    throw new NotApplicable(
      `the ${spec.type} action applies to ${openai ? 'Anthropic Messages and OpenAI chat/responses' : 'Anthropic Messages'} requests, not ${request.endpoint}`,
    );
  };
}

/** The actions with a meaning on OpenAI requests (actions/openai.ts); the rest are Anthropic's alone. */
function buildOpenAIAction(spec: Exclude<ActionSpec, { type: 'hook' }>): OpenAIAction | undefined {
  switch (spec.type) {
    case 'setModel':
      return setModelOpenAI(spec);
    case 'capMaxTokens':
      return capOutputOpenAI(spec);
    case 'truncate':
      return truncateOpenAI(spec);
    default:
      return undefined;
  }
}

function buildAction(spec: Exclude<ActionSpec, { type: 'hook' }>): Action {
  switch (spec.type) {
    case 'setModel':
      return setModel(spec);
    case 'capMaxTokens':
      return capMaxTokens(spec);
    case 'truncate':
      return truncateLarge(spec);
    case 'dropThinking':
      return dropThinking();
    case 'trimContext':
      return trimContext(spec);
    case 'contextManagement':
      return contextManagement(spec);
    case 'removeTools':
      return removeTools(spec);
  }
}

function summarise(before: AnthropicBody, after: AnthropicBody, chars: [number, number]): ChangeSummary {
  const change: ChangeSummary = { chars };
  if (before.model !== after.model) change.model = [before.model, after.model];
  const limit = (b: Record<string, unknown>) => b[maxTokensField(b) ?? 'max_tokens'] as number | undefined;
  if (limit(before) !== limit(after)) change.max_tokens = [limit(before), limit(after)];
  const count = (b: Record<string, unknown>) =>
    Array.isArray(b.messages) ? b.messages.length : Array.isArray(b.input) ? b.input.length : 0;
  if (count(before) !== count(after)) change.messages = [count(before), count(after)];
  if ((before.tools?.length ?? 0) !== (after.tools?.length ?? 0))
    change.tools = [before.tools?.length ?? 0, after.tools?.length ?? 0];
  if (before.thinking && !after.thinking) change.thinking = 'removed';
  if (!before.context_management && after.context_management) change.context_management = 'added';
  return change;
}
