/**
 * The redactor: everything the log sink writes goes through here first. Any error propagates
 * (the caller drops the record) — we never hand back half-redacted data.
 */
import { applyFindings } from './apply.js';
import { PRIORITY, type Finding, type TextRule } from './finding.js';
import { credentialHeaderFinding, isCredentialHeader, secretWordFindings } from './headers.js';
import { isKeyedSecret, isSecretKeyName, keyedEntropyRule, secretFlagName } from './keyed.js';
import { gitleaksRules } from './gitleaks.js';
import { gateRules } from './keywords.js';
import { patternGatedRules, regexRule } from './patterns.js';
import { type BatchScan, createBatchScan, MIN_SCAN_LENGTH } from './scan.js';
import { createSecretlintScan, secretlintGroup, type SecretlintScan } from './secretlint.js';
import { createTagger, normaliseType, type Tagger } from './tag.js';
import type { RedactionStats, Redactor, RedactorOptions } from './types.js';
import { urlFindings } from './url.js';
import { copyAndCollect, setProperty } from './walk.js';

export type { RedactionStats, Redactor, RedactorOptions } from './types.js';
export { loadOrCreateKey } from './key.js';

const MIN_KEY_BYTES = 16;
/** Each pass strictly shrinks the unredacted text, so this is only a guard against bugs. */
const MAX_PASSES = 5;

function userRules(patterns: RedactorOptions['extraPatterns']): TextRule[] {
  return (patterns ?? []).map((p) => {
    // Compiled here so a bad pattern fails at start-up, not on the first record.
    new RegExp(p.pattern, p.flags);
    return regexRule({
      name: `user:${p.name}`,
      type: normaliseType(p.name),
      priority: PRIORITY.user,
      source: p.pattern,
      flags: p.flags ?? '',
    });
  });
}

/**
 * A start-up check that secretlint is really wired in (ESM import, rules registered): a Linear
 * key is a format only the preset knows, so the hand-written rules cannot mask a failure.
 */
function selfCheck(secretlint: SecretlintScan): void {
  const canary = 'lin' + '_api_' + '0123456789abcdefghij0123456789ABCDEFGHIJ';
  const findings = secretlint(`canary ${canary} canary`);
  if (!findings.some((f) => f.type === 'linear-api-key')) {
    throw new Error('redact: self-check failed, secretlint did not find a planted token');
  }
}

function commit(stats: RedactionStats, counts: Record<string, number>): void {
  for (const [type, n] of Object.entries(counts)) stats.byType[type] = (stats.byType[type] ?? 0) + n;
}

/** Extra findings for the string at `index`, on pass `pass` of `redactAll`. */
type ExtraFindings = (text: string, index: number, pass: number) => Finding[] | undefined;
/** Redacts a batch of strings; `skipScan[i]` leaves string `i` to `extra` alone. */
type RedactAll = (texts: readonly string[], extra?: ExtraFindings, skipScan?: readonly boolean[]) => string[];

function createRules(options: RedactorOptions, highEntropy: boolean): TextRule[] {
  const secretlint = secretlintGroup();
  selfCheck(createSecretlintScan(secretlint));
  return [
    // One keyword pass picks which of the provider rules run on a chunk (keywords.ts).
    gateRules('providers', [...patternGatedRules(), ...gitleaksRules()], [secretlint]),
    ...(highEntropy ? [keyedEntropyRule()] : []),
    ...userRules(options.extraPatterns),
  ];
}

/**
 * Redacts `texts` as one batch and returns the results; stats are committed only when all
 * succeeded. Repeats on the strings that changed until nothing changes, so the output is a
 * fixed point (idempotent by construction): a redaction can change a neighbour's context,
 * e.g. two AWS key ids glued together only match one at a time.
 */
function createRedactAll(scan: BatchScan, tagger: Tagger, stats: RedactionStats): RedactAll {
  return (texts, extra, skipScan = []) => {
    const counts: Record<string, number> = {};
    const current = [...texts];
    let todo = texts.map((_, i) => i);
    for (let pass = 0; todo.length > 0; pass++) {
      if (pass === MAX_PASSES) throw new Error('redact: redaction did not converge');
      const found = scan(todo.map((i) => (skipScan[i] ? '' : (current[i] as string))));
      const changed: number[] = [];
      todo.forEach((i, k) => {
        const before = current[i] as string;
        const findings = [...(found[k] ?? []), ...(extra?.(before, i, pass) ?? [])];
        const after = applyFindings(before, findings, tagger, counts);
        if (after === before) return;
        current[i] = after;
        if (!skipScan[i]) changed.push(i);
      });
      todo = changed;
    }
    commit(stats, counts);
    return current;
  };
}

function redactHeaders(redactAll: RedactAll, headers: Record<string, string>): Record<string, string> {
  const names = Object.keys(headers);
  const values = names.map((name) => {
    const v = headers[name];
    // Fail closed: an array or number here means the caller broke the contract.
    if (typeof v !== 'string') throw new TypeError(`redact: header ${name} is not a string`);
    return v;
  });
  const credential = names.map(isCredentialHeader);
  // Credential values are replaced whole; scanning them too would only split the placeholder.
  const redacted = redactAll(
    values,
    (text, i, pass) => {
      const f = pass === 0 && credential[i] ? credentialHeaderFinding(names[i] as string, text) : undefined;
      return f ? [f] : undefined;
    },
    credential,
  );
  // Then the rest of each word a secret was found in (custom headers are scanned whole).
  const whole = redactAll(
    redacted,
    (text, i, pass) => (pass === 0 && !credential[i] ? secretWordFindings(text) : undefined),
    names.map(() => true), // already scanned
  );
  const out: Record<string, string> = {};
  for (const [i, name] of names.entries()) setProperty(out, name, whole[i]);
  return out;
}

function redactValue<T>(redactAll: RedactAll, highEntropy: boolean, value: T): T {
  const { root, slots } = copyAndCollect(value, MIN_SCAN_LENGTH);
  // A credential-named key (`password`, `apiKey`) or argv flag (`--token`, value) makes its
  // whole string value a candidate.
  const keyed = slots.map((s) => {
    const name = s.parentKey !== undefined && isSecretKeyName(s.parentKey) ? s.parentKey : secretFlagName(s.previous);
    return highEntropy && name !== undefined && isKeyedSecret(s.text, name);
  });
  const redacted = redactAll(
    slots.map((s) => s.text),
    (text, i, pass) =>
      pass === 0 && keyed[i]
        ? [{ start: 0, end: text.length, type: 'high-entropy', priority: PRIORITY.highEntropy }]
        : undefined,
  );
  slots.forEach((s, i) => {
    const r = redacted[i] as string;
    if (r !== s.text) setProperty(s.holder, s.key, r);
  });
  return root[0] as T;
}

export function createRedactor(options: RedactorOptions): Redactor {
  if (!(options.key instanceof Uint8Array) || options.key.length < MIN_KEY_BYTES) {
    throw new Error(`redact: key must be a Uint8Array of at least ${MIN_KEY_BYTES} bytes`);
  }
  const tagger: Tagger = createTagger(options.key);
  const highEntropy = options.highEntropy ?? true;
  const scan = createBatchScan(createRules(options, highEntropy));
  const stats: RedactionStats = { byType: {} };
  const redactAll = createRedactAll(scan, tagger, stats);

  return {
    stats,

    text(text) {
      if (typeof text !== 'string') throw new TypeError('redact: text() needs a string');
      const [out] = redactAll([text]);
      return out as string;
    },

    url(url) {
      if (typeof url !== 'string') throw new TypeError('redact: url() needs a string');
      const [out] = redactAll([url], (text) => urlFindings(text));
      return out as string;
    },

    headers(headers) {
      return redactHeaders(redactAll, headers);
    },

    value<T>(value: T): T {
      return redactValue(redactAll, highEntropy, value);
    },
  };
}
