/**
 * The rules engine: rules compiled once; per request, the matching rules' actions run in order, the result
 * is checked (validity.ts), and a decision comes back — the rewritten request, or the original with the
 * reason. The caller (the fetch tap, or the SDK layer for signed requests) sends it; in a dry run it sends
 * the original and logs the decision.
 *
 *   request ──► match rule 1 ──► actions ──► … rule n (unless a rule said stop) ──► checkRewrite ──► decision
 */
import {
  capMaxTokens, contextManagement, dropThinking, estimateTokens, removeTools, setModel, trimContext, truncateLarge,
} from './actions/index.js';
import { compileMatch, inputTokensOf, type Matcher, type RequestView } from './match.js';
import type { ActionSpec, RulesFile } from './rules-schema.js';
import type { Action, AnthropicBody, RewriteTarget } from './types.js';
import { checkRewrite } from './validity.js';

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
  /** Why a rewrite was not used (invalid result, unsupported endpoint). */
  rejected?: string[];
  change?: ChangeSummary;
  /** Estimated input tokens before and after (scaled from the known usage when there is one). */
  tokens?: [number, number];
}

export type RewriteEngine = (request: RequestView) => RewriteDecision;

export function compileRules(file: RulesFile): RewriteEngine {
  const rules = file.rules.map((rule) => ({ rule, matches: compileMatch(rule.match) as Matcher, actions: rule.actions.map(buildAction) }));
  return (request) => {
    const applied: RewriteDecision['applied'] = [];
    const chosen: Action[] = [];
    for (const { rule, matches, actions } of rules) {
      if (!matches(request)) continue;
      applied.push({ rule: rule.id, actions: rule.actions.map((a) => a.type) });
      chosen.push(...actions);
      if (rule.stop) break;
    }
    if (applied.length === 0) return { applied };
    if (request.endpoint !== 'anthropic.messages') {
      return { applied, rejected: [`the actions apply to Anthropic Messages requests; this is ${request.endpoint}`] };
    }
    const original = request.body as AnthropicBody;
    const out = chosen.reduce<RewriteTarget>((target, action) => action(target), { body: original, headers: request.headers });
    if (out.body === original && out.headers === request.headers) return { applied };
    const problems = checkRewrite(original, out.body);
    if (problems.length > 0) return { applied, rejected: problems };
    const before = inputTokensOf(request);
    const ratio = estimateTokens(out.body) / estimateTokens(original);
    return { applied, rewritten: out, change: summarise(original, out.body), tokens: [before, Math.round(before * ratio)] };
  };
}

function buildAction(spec: ActionSpec): Action {
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

function summarise(before: AnthropicBody, after: AnthropicBody): ChangeSummary {
  const change: ChangeSummary = { chars: [JSON.stringify(before).length, JSON.stringify(after).length] };
  if (before.model !== after.model) change.model = [before.model, after.model];
  if (before.max_tokens !== after.max_tokens) change.max_tokens = [before.max_tokens, after.max_tokens];
  if (before.messages.length !== after.messages.length) change.messages = [before.messages.length, after.messages.length];
  if ((before.tools?.length ?? 0) !== (after.tools?.length ?? 0)) change.tools = [before.tools?.length ?? 0, after.tools?.length ?? 0];
  if (before.thinking && !after.thinking) change.thinking = 'removed';
  if (!before.context_management && after.context_management) change.context_management = 'added';
  return change;
}
