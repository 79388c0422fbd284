/**
 * Adapter for secretlint's recommended preset: one `lintSource` call per batch of text,
 * its messages turned into findings with corrected, secret-only ranges.
 */
// Not in package.json: a dependency of @secretlint/core, resolved to the same (hoisted) copy.
import { secretLintProfiler } from '@secretlint/profiler';
import { rules as presetRules } from '@secretlint/secretlint-rule-preset-recommend';
import { PRIORITY, type Finding } from './finding.js';
import { gateRules, type GatedGroup } from './keywords.js';
import { createRuleRunner, isTextRule, type RuleMessage, type SecretlintRuleLike } from './secretlint-runner.js';

const RULE_PREFIX = '@secretlint/secretlint-rule-';

/**
 * `filter-comments` is left out on purpose: it honours `secretlint-disable` comments, so any
 * prompt or tool output containing that text would switch redaction off for what follows.
 */
const EXCLUDED_RULES = new Set([`${RULE_PREFIX}filter-comments`]);

const TYPE_BY_MESSAGE: Record<string, string> = {
  AWSSecretAccessKey: 'aws-secret-key',
  AWSAccessKeyID: 'aws-access-key',
  AWSAccountID: 'aws-account-id',
  IncomingWebhook: 'slack-webhook',
};

const TYPE_BY_RULE: Record<string, string> = {
  aws: 'aws-secret-key',
  gcp: 'gcp-service-account',
  npm: 'npm-token',
  slack: 'slack-token',
  basicauth: 'basic-auth',
  openai: 'openai-api-key',
  anthropic: 'anthropic-api-key',
  linear: 'linear-api-key',
  privatekey: 'private-key',
  sendgrid: 'sendgrid-api-key',
  shopify: 'shopify-token',
  github: 'github-token',
  '1password': '1password-token',
  // Narrowed to the password below, so it reads like any other userinfo password.
  'database-connection-string': 'basic-auth',
};

/** Rules whose range is a whole URL; only its password is secret. */
const URL_RULES = new Set(['basicauth', 'database-connection-string']);

const PRIORITY_BY_TYPE: Record<string, number> = {
  'private-key': PRIORITY.privateKey,
  'basic-auth': PRIORITY.basicAuth,
};

function typeOf(ruleName: string, messageId: string): string {
  return TYPE_BY_MESSAGE[messageId] ?? TYPE_BY_RULE[ruleName] ?? 'secret';
}

/**
 * Some preset rules report `[matchStart, matchStart + secret.length]` although the secret is a
 * capture group further right (AWS secret key, npm tokens): the range would cover the key name
 * and leave the secret's tail visible. The message data carries the secret itself; find it.
 */
function secretRange(text: string, message: RuleMessage): [number, number] {
  const [start, end] = message.range;
  const data = (message.data ?? {}) as Record<string, unknown>;
  for (const field of ['KEY', 'TOKEN', 'ID']) {
    const secret = data[field];
    if (typeof secret !== 'string' || secret.length === 0) continue;
    if (text.slice(start, end) === secret) return [start, end];
    const at = text.indexOf(secret, start);
    if (at >= 0 && at <= end + 512) return [at, at + secret.length];
  }
  return [start, end];
}

/** `scheme://user:password@host…` → the password's range, else the whole range. */
function passwordRange(text: string, start: number, end: number): [number, number] {
  const url = text.slice(start, end);
  const authority = url.indexOf('://');
  if (authority < 0) return [start, end];
  const at = url.indexOf('@', authority + 3);
  const colon = url.indexOf(':', authority + 3);
  if (at < 0 || colon < 0 || colon > at || colon + 1 === at) return [start, end];
  return [start + colon + 1, start + at];
}

export type SecretlintScan = (text: string) => Finding[];

/**
 * secretlint's global profiler keeps every performance mark of every lint forever (in its own
 * array and in Node's performance timeline) and scans that array on each new mark: in a
 * long-running process that is a memory leak and O(n²) time — after a few thousand records a
 * lint takes seconds. Nothing reads the profile, so marks become no-ops.
 */
function silenceProfiler(): void {
  secretLintProfiler.mark = () => undefined;
}

/**
 * Literals (any case) one of which every finding of a preset rule contains, read from the rules'
 * patterns (@secretlint/secretlint-rule-preset-recommend 11.7.1): a rule runs only on text holding
 * one (keywords.ts). A rule not listed (`gcp` parses the whole text as JSON; a rule a later preset
 * adds) always runs.
 */
const RULE_KEYWORDS: Record<string, readonly string[]> = {
  // The secret key's name; the id and account rules (off unless `enableIDScanRule`) by their prefixes.
  aws: ['secret', 'a3t', 'akia', 'agpa', 'aida', 'aroa', 'aipa', 'anpa', 'anva', 'asia', 'account'],
  privatekey: ['-----begin'],
  npm: ['npm_', '_authtoken=', 'x-oauth-basic'],
  basicauth: ['://'],
  slack: ['xox', 'xapp-', 'hooks.slack.com'],
  sendgrid: ['sg.'],
  shopify: ['shppa_', 'shpca_', 'shpat_', 'shpss_'],
  github: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
  openai: ['sk-'],
  anthropic: ['sk-ant-api0'],
  linear: ['lin_api_'],
  '1password': ['ops_'],
  'database-connection-string': ['mongodb', 'mysql', 'postgres'],
  // Reads only a `.p12` file or a `.json` source whose object holds `private_key_id` (the runner hands `.txt`: it never
  // reports here). Unlisted, it ran on every text: a secretlint run per redaction for nothing.
  gcp: ['private_key'],
};

const shortName = (ruleId: string): string =>
  ruleId.startsWith(RULE_PREFIX) ? ruleId.slice(RULE_PREFIX.length) : ruleId;

/** The preset's rules as one group for the keyword gate (keywords.ts). */
export function secretlintGroup(): GatedGroup {
  silenceProfiler();
  const rules = (presetRules as unknown as SecretlintRuleLike[]).filter(
    (rule) => !EXCLUDED_RULES.has(rule.meta.id) && isTextRule(rule),
  );
  const run = createRuleRunner(rules);
  return {
    keywords: rules.map((rule) => RULE_KEYWORDS[shortName(rule.meta.id)] ?? []),
    scan(text, selected, out) {
      if (text.length === 0) return;
      for (const message of run(text, selected)) {
        const ruleName = shortName(message.ruleId);
        const type = typeOf(ruleName, message.messageId);
        let [start, end] = secretRange(text, message);
        if (URL_RULES.has(ruleName)) [start, end] = passwordRange(text, start, end);
        out.push({ start, end, type, priority: PRIORITY_BY_TYPE[type] ?? PRIORITY.vendor });
      }
    },
  };
}

/** secretlint's preset on its own (gated by its keywords), findings in text order. */
export function createSecretlintScan(group: GatedGroup = secretlintGroup()): SecretlintScan {
  const gated = gateRules('secretlint', [], [group]);
  return (text) => {
    const out: Finding[] = [];
    gated.scan(text, out);
    return out.sort((a, b) => a.start - b.start);
  };
}
