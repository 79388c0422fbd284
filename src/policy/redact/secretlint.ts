/**
 * Adapter for secretlint's recommended preset: one `lintSource` call per batch of text,
 * its messages turned into findings with corrected, secret-only ranges.
 */
// Not in package.json: a dependency of @secretlint/core, resolved to the same (hoisted) copy.
import { secretLintProfiler } from "@secretlint/profiler";
import { rules as presetRules } from "@secretlint/secretlint-rule-preset-recommend";
import { PRIORITY, type Finding } from "./finding.js";
import { createRuleRunner, type RuleMessage, type SecretlintRuleLike } from "./secretlint-runner.js";

const RULE_PREFIX = "@secretlint/secretlint-rule-";

/**
 * `filter-comments` is left out on purpose: it honours `secretlint-disable` comments, so any
 * prompt or tool output containing that text would switch redaction off for what follows.
 */
const EXCLUDED_RULES = new Set([`${RULE_PREFIX}filter-comments`]);

const TYPE_BY_MESSAGE: Record<string, string> = {
  AWSSecretAccessKey: "aws-secret-key",
  AWSAccessKeyID: "aws-access-key",
  AWSAccountID: "aws-account-id",
  IncomingWebhook: "slack-webhook",
};

const TYPE_BY_RULE: Record<string, string> = {
  aws: "aws-secret-key",
  gcp: "gcp-service-account",
  npm: "npm-token",
  slack: "slack-token",
  basicauth: "basic-auth",
  openai: "openai-api-key",
  anthropic: "anthropic-api-key",
  linear: "linear-api-key",
  privatekey: "private-key",
  sendgrid: "sendgrid-api-key",
  shopify: "shopify-token",
  github: "github-token",
  "1password": "1password-token",
  // Narrowed to the password below, so it reads like any other userinfo password.
  "database-connection-string": "basic-auth",
};

/** Rules whose range is a whole URL; only its password is secret. */
const URL_RULES = new Set(["basicauth", "database-connection-string"]);

const PRIORITY_BY_TYPE: Record<string, number> = {
  "private-key": PRIORITY.privateKey,
  "basic-auth": PRIORITY.basicAuth,
};

function typeOf(ruleName: string, messageId: string): string {
  return TYPE_BY_MESSAGE[messageId] ?? TYPE_BY_RULE[ruleName] ?? "secret";
}

/**
 * Some preset rules report `[matchStart, matchStart + secret.length]` although the secret is a
 * capture group further right (AWS secret key, npm tokens): the range would cover the key name
 * and leave the secret's tail visible. The message data carries the secret itself; find it.
 */
function secretRange(text: string, message: RuleMessage): [number, number] {
  const [start, end] = message.range;
  const data = (message.data ?? {}) as Record<string, unknown>;
  for (const field of ["KEY", "TOKEN", "ID"]) {
    const secret = data[field];
    if (typeof secret !== "string" || secret.length === 0) continue;
    if (text.slice(start, end) === secret) return [start, end];
    const at = text.indexOf(secret, start);
    if (at >= 0 && at <= end + 512) return [at, at + secret.length];
  }
  return [start, end];
}

/** `scheme://user:password@host…` → the password's range, else the whole range. */
function passwordRange(text: string, start: number, end: number): [number, number] {
  const url = text.slice(start, end);
  const authority = url.indexOf("://");
  if (authority < 0) return [start, end];
  const at = url.indexOf("@", authority + 3);
  const colon = url.indexOf(":", authority + 3);
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

export function createSecretlintScan(): SecretlintScan {
  silenceProfiler();
  const run = createRuleRunner(
    (presetRules as unknown as SecretlintRuleLike[]).filter((rule) => !EXCLUDED_RULES.has(rule.meta.id)),
  );
  return (text) => {
    if (text.length === 0) return [];
    return run(text).map((message): Finding => {
      const ruleName = message.ruleId.startsWith(RULE_PREFIX)
        ? message.ruleId.slice(RULE_PREFIX.length)
        : message.ruleId;
      const type = typeOf(ruleName, message.messageId);
      let [start, end] = secretRange(text, message);
      if (URL_RULES.has(ruleName)) [start, end] = passwordRange(text, start, end);
      return { start, end, type, priority: PRIORITY_BY_TYPE[type] ?? PRIORITY.vendor };
    }).sort((a, b) => a.start - b.start);
  };
}
