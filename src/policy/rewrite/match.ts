/**
 * Rule matching, compiled once per rule (globs and regexes built at load, STYLE #13): the hot path only
 * runs the returned predicate.
 */
import { messagesOf } from '../../exchange/body.js';
import type { Endpoint, Provider } from '../../exchange/types.js';
import { estimateTokens } from './actions/index.js';
import type { Rule } from './rules-schema.js';

/** What a rule can look at. */
export interface RequestView {
  provider: Provider;
  endpoint: Endpoint;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** Input tokens as the rules step estimates them (the size, scaled by the conversation's last usage when known). */
  knownInputTokens?: number;
  /** The length of the body's JSON text, when the caller has the text (saves serialising it again). */
  bodyChars?: number;
  /** The mechanism the classifier gave this request, if any. */
  mechanism?: string;
}

export type Matcher = (request: RequestView) => boolean;

export function globToRegExp(glob: string): RegExp {
  const source = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`);
}

const list = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

export function inputTokensOf(request: RequestView): number {
  return request.knownInputTokens ?? estimateTokens(request.body);
}

export function compileMatch(match: Rule['match']): Matcher {
  const tests: Matcher[] = [];
  const mechanisms = list(match.mechanism);
  // `claude-code.sub-agent` or just `sub-agent` (any agent).
  if (mechanisms)
    tests.push(
      (r) =>
        r.mechanism !== undefined &&
        (mechanisms.includes(r.mechanism) || mechanisms.includes(r.mechanism.slice(r.mechanism.indexOf('.') + 1))),
    );
  const providers = list(match.provider);
  if (providers) tests.push((r) => (providers as string[]).includes(r.provider));
  const endpoints = list(match.endpoint);
  if (endpoints) tests.push((r) => (endpoints as string[]).includes(r.endpoint));
  if (match.model !== undefined) {
    const pattern =
      typeof match.model === 'string' ? globToRegExp(match.model) : new RegExp(match.model.regex, match.model.flags);
    tests.push((r) => typeof r.body.model === 'string' && pattern.test(r.body.model));
  }
  const range = (min: number | undefined, max: number | undefined, value: number) =>
    (min === undefined || value >= min) && (max === undefined || value <= max);
  if (match.inputTokens) {
    const { min, max } = match.inputTokens;
    tests.push((r) => range(min, max, inputTokensOf(r)));
  }
  if (match.messages) {
    const { min, max } = match.messages;
    tests.push((r) => range(min, max, messagesOf(r.body).length));
  }
  if (match.tools) {
    const { includes, none } = match.tools;
    tests.push((r) => {
      const names = toolNames(r.body);
      if (none !== undefined && (names.length === 0) !== none) return false;
      return !includes || includes.every((n) => names.includes(n));
    });
  }
  if (match.headers) {
    const headerTests = Object.entries(match.headers).map(
      ([name, glob]) => [name.toLowerCase(), globToRegExp(glob)] as const,
    );
    tests.push((r) =>
      headerTests.every(([name, pattern]) => r.headers[name] !== undefined && pattern.test(r.headers[name]!)),
    );
  }
  return (request) => tests.every((t) => t(request));
}

function toolNames(body: Record<string, unknown>): string[] {
  if (!Array.isArray(body.tools)) return [];
  return body.tools.flatMap((t: { name?: unknown; function?: { name?: unknown } }) => {
    const name = t?.name ?? t?.function?.name;
    return typeof name === 'string' ? [name] : [];
  });
}
