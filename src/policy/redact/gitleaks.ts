/**
 * gitleaks's provider rules (generated data in rules/gitleaks/rules.ts) as one TextRule.
 * Per text: one keyword pass picks the rules worth running (gateRules, shared with the hand-written
 * rules), then only those rules' regexes run — so the cost per body stays flat as the rule set grows. The secret is the
 * rule's `secretGroup`, else its first non-empty group, else the whole match (as in gitleaks),
 * checked against its entropy floor and allowlists.
 */
import { shannonEntropy } from './entropy.js';
import { PRIORITY, type Finding, type TextRule } from './finding.js';
import { gateRules, type GatedRule } from './keywords.js';
import { GITLEAKS } from './rules/gitleaks/rules.js';
import type { GitleaksAllowlist, GitleaksData, GitleaksRuleData } from './rules/gitleaks/types.js';

interface CompiledAllowlist {
  target: GitleaksAllowlist['target'];
  all: boolean;
  regexes: RegExp[];
  stopwords: readonly string[];
}

interface CompiledRule {
  id: string;
  re: RegExp;
  boundary: boolean;
  group: number | undefined;
  entropy: number | undefined;
  allow: CompiledAllowlist[];
}

function compileAllowlist(list: GitleaksAllowlist): CompiledAllowlist {
  return {
    target: list.target,
    all: list.all === true,
    regexes: list.regexes.map((r) => new RegExp(r.source, r.flags)),
    stopwords: list.stopwords ?? [],
  };
}

/** Throws (naming the rule) when a rule's regex no longer compiles. */
export function compileRule(rule: GitleaksRuleData): CompiledRule {
  try {
    return {
      id: rule.id,
      // `d` for the secret group's offsets; never `y` (it would stop at the first gap).
      re: new RegExp(escapeAwareDots(rule.source), `${rule.flags.replace(/[gyd]/g, '')}gd`),
      boundary: rule.boundary === true,
      group: rule.group,
      entropy: rule.entropy,
      allow: (rule.allow ?? []).map(compileAllowlist),
    };
  } catch (err) {
    throw new Error(`redact: gitleaks rule ${rule.id} does not compile: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * A lone `.` outside a class (upstream writes `MailchimpSDK.initialize`, `hooks.slack.com`) matches one character;
 * in JSON text the same character may be a two-character escape (`\"`), which upstream's own separators allow for
 * (`\\[nrt"']`) but its dots do not. Each such dot also takes one JSON escape, so a body scanned as sent finds what
 * its decoded strings would. Quantified dots (`.{0,20}`) already span an escape.
 */
export function escapeAwareDots(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c === '\\') {
      out += source.slice(i, i + 2);
      i++;
    } else if (inClass) {
      inClass = c !== ']';
      out += c;
    } else if (c === '.' && !/[*+?{]/.test(source[i + 1] ?? '')) {
      out += '(?:\\\\["\\\\/bfnrt]|.)';
    } else {
      inClass = c === '[';
      out += c;
    }
  }
  return out;
}

const isWordChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/** `\b` before `at`, or a literal `\n`/`\r`/`\t` escape (text lifted from a JSON string). */
function atBoundary(text: string, at: number): boolean {
  if (at === 0 || !isWordChar(text.charCodeAt(at))) return true; // upstream's first characters are word characters
  if (!isWordChar(text.charCodeAt(at - 1))) return true;
  return at >= 2 && text[at - 2] === '\\' && 'nrt'.includes(text[at - 1] as string);
}

function lineAround(text: string, start: number, end: number): string {
  const from = text.lastIndexOf('\n', start - 1) + 1;
  const to = text.indexOf('\n', end);
  return text.slice(from, to < 0 ? text.length : to);
}

function allowed(list: CompiledAllowlist, secret: string, match: () => string, line: () => string): boolean {
  const target = list.target === 'secret' ? secret : list.target === 'match' ? match() : line();
  const byRegex = list.regexes.length > 0 && list.regexes.some((re) => re.test(target));
  const lower = secret.toLowerCase();
  const byStopword = list.stopwords.length > 0 && list.stopwords.some((w) => lower.includes(w));
  if (list.all) {
    return (list.regexes.length === 0 || byRegex) && (list.stopwords.length === 0 || byStopword);
  }
  return byRegex || byStopword;
}

function scanRule(
  rule: CompiledRule,
  global: CompiledAllowlist | undefined,
  text: string,
  out: Finding[],
  offset = 0,
): void {
  const re = rule.re;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    if (rule.boundary && !atBoundary(text, m.index)) {
      re.lastIndex = m.index + 1;
      continue;
    }
    // Upstream classes like `[\s\S]` or `[^"]` admit the batch separator's NUL (scan.ts): a match
    // across it joins two strings. Scan the string where it started on its own, then go on
    // after it, so batching never changes what is found.
    const nul = m[0].indexOf('\0');
    if (nul >= 0) {
      const from = text.lastIndexOf('\0', m.index) + 1;
      const to = m.index + nul;
      const resume = to + 1;
      scanRule(rule, global, text.slice(from, to), out, offset + from);
      re.lastIndex = resume;
      continue;
    }
    let span: [number, number] | undefined = [m.index, m.index + m[0].length];
    if (m.length > 1) {
      const g = rule.group ?? m.findIndex((v, i) => i > 0 && v !== undefined && v.length > 0);
      span = g > 0 ? m.indices?.[g] : undefined;
      if (span === undefined) continue;
    }
    const [start, end] = span;
    if (end <= start) continue;
    const secret = text.slice(start, end);
    if (rule.entropy !== undefined && shannonEntropy(secret) < rule.entropy) continue;
    const whole = m[0];
    const match = (): string => whole;
    const line = (): string => lineAround(text, m.index, m.index + whole.length);
    const lists = global ? [global, ...rule.allow] : rule.allow;
    if (lists.some((l) => allowed(l, secret, match, line))) continue;
    out.push({ start: offset + start, end: offset + end, type: rule.id, priority: PRIORITY.gitleaks });
  }
}

/** Each rule with its keywords, for one keyword pass shared with the other rules (keywords.ts). */
export function gitleaksRules(data: GitleaksData = GITLEAKS): GatedRule[] {
  const global = data.allow ? compileAllowlist(data.allow) : undefined;
  return data.rules.map((r) => {
    const rule = compileRule(r);
    return { keywords: r.keywords, rule: { name: r.id, scan: (text, out) => scanRule(rule, global, text, out) } };
  });
}

export function gitleaksRule(data: GitleaksData = GITLEAKS): TextRule {
  return gateRules('gitleaks', gitleaksRules(data));
}
