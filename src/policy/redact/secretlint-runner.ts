/**
 * Runs secretlint rules synchronously. `@secretlint/core`'s `lintSource` is promise-based, but the
 * preset's rules are synchronous for text (only the binary-only p12 check awaits). The log must be
 * redacted synchronously: records still queued when an agent calls `process.exit()` are written from
 * the `exit` handler, where no promise ever settles. This uses the public rule contract
 * (`rule.create(context, options)` → `{ file(source) }`, `context.report`, `context.createTranslator`),
 * creating rules anew per run as core does; a test checks it finds exactly what `lintSource` finds.
 */
import type { Finding } from './finding.js';

export interface RuleMessage {
  ruleId: string;
  messageId: string;
  range: readonly [number, number];
  data?: Record<string, unknown>;
}

interface Descriptor {
  message: { messageId: string; data?: Record<string, unknown> };
  range: readonly [number, number];
}

export interface SecretlintRuleLike {
  meta: { id: string; supportedContentTypes: readonly string[] };
  create(context: unknown, options: unknown): { file?: (source: unknown) => unknown };
}

/** Runs every rule, or only those whose index is set in `only`. */
export type RunRules = (text: string, only?: readonly boolean[]) => RuleMessage[];

/** Rules that cannot read text are left out: `rules` must hold text rules only when `only` is used. */
export function createRuleRunner(rules: readonly SecretlintRuleLike[]): RunRules {
  const textRules = rules.filter(isTextRule);
  return (text, only) => {
    const messages: RuleMessage[] = [];
    const source = { content: text, filePath: 'agenttap-record.txt', ext: '.txt', contentType: 'text' };
    for (const [i, rule] of textRules.entries()) {
      if (only !== undefined && only[i] !== true) continue;
      const context = {
        sharedOptions: {},
        createTranslator: () => (messageId: string, data?: Record<string, unknown>) => ({
          message: messageId,
          messageId,
          data,
        }),
        report: (d: Descriptor) =>
          messages.push({ ruleId: rule.meta.id, messageId: d.message.messageId, range: d.range, data: d.message.data }),
        ignore: () => {
          throw new Error(`secretlint rule ${rule.meta.id} asked to ignore a finding; not supported here`);
        },
      };
      const result = rule.create(context, {}).file?.(source);
      if (isThenable(result)) {
        result.then(undefined, () => undefined); // never an unhandled rejection in the agent
        throw new Error(`secretlint rule ${rule.meta.id} is asynchronous; it cannot run in the synchronous redactor`);
      }
    }
    return messages;
  };
}

export function isTextRule(rule: SecretlintRuleLike): boolean {
  return rule.meta.supportedContentTypes.some((t) => t === 'text' || t === 'all');
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

export type { Finding };
