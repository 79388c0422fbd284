/**
 * Hand-written rules for what secretlint's recommended preset misses or gets wrong
 * (each gap was checked against @secretlint/secretlint-rule-preset-recommend 11.7.1):
 * - AWS access key ids: the preset's rule is off unless `enableIDScanRule` is set.
 * - `aws_secret_access_key = …`: the preset reports a range that starts at the key *name* (we
 *   correct it in secretlint.ts), and misses keys ending in `+`, `/` or `=` (word boundary).
 * - JWTs, Google API keys, Stripe keys, `Bearer …` in text: not in the preset at all.
 * - Anthropic/OpenAI: the preset only knows exact lengths and the `T3BlbkFJ` marker.
 * - PEM: the preset skips `ENCRYPTED PRIVATE KEY`, bodies under 100 characters (ed25519)
 *   and truncated blocks (no END line).
 * - Anything right after a literal `\n` escape: the preset's `(?<!\p{L})` sees the `n`.
 * All regexes are compiled once, when the redactor is created, and no character class admits
 * `\0`, which is part of the separator the scanner puts between strings (see scan.ts).
 */
import { PRIORITY, type TextRule } from './finding.js';
import type { GatedRule } from './keywords.js';
import { SECRET_PARAM_NAMES, SECRET_PARAM_NAMES_SOURCE } from './params.js';

interface RegexRuleSpec {
  name: string;
  type: string;
  priority: number;
  source: string;
  flags?: string;
  /**
   * With `notAfter`: the pattern's literal start (e.g. `gh[pousr]_`). The match must not be
   * glued to a preceding `notAfter` character (a class body, e.g. `A-Za-z0-9_`), except that a
   * literal `\n`/`\r`/`\t` escape counts as a boundary (text lifted from inside a JSON string).
   * The lookbehind goes *after* the prefix: a pattern that starts with a lookbehind loses V8's
   * literal search and runs ~10x slower, and checking in code after a greedy match would make
   * a run of glued candidates quadratic.
   */
  prefix?: string;
  notAfter?: string;
  /**
   * Literals (any case) one of which every match contains: the rule runs only on text holding
   * one (keywords.ts). None: it always runs.
   */
  keywords?: readonly string[];
  /** Capture group holding the secret; the whole match when absent. */
  group?: number;
  /** Final check on a candidate; returning false drops it. */
  accept?: (secret: string) => boolean;
}

export function regexRule(spec: RegexRuleSpec): TextRule {
  // Always global (we loop over matches); never sticky, which would stop at the first gap.
  const flags = new Set([...(spec.flags ?? '').replace('y', ''), 'g', ...(spec.group !== undefined ? 'd' : '')]);
  const source =
    spec.prefix === undefined
      ? spec.source
      : `${spec.prefix}(?<=(?:^|[^${spec.notAfter ?? ''}]|\\\\[nrt])(?:${spec.prefix}))${spec.source}`;
  const re = new RegExp(source, [...flags].join(''));
  return {
    name: spec.name,
    scan(text, out) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        if (m[0].length === 0) {
          re.lastIndex++; // a user pattern may match the empty string
          continue;
        }
        let start = m.index;
        let end = m.index + m[0].length;
        if (spec.group !== undefined) {
          const span = m.indices?.[spec.group];
          if (span === undefined) continue;
          [start, end] = span;
        }
        if (end <= start) continue;
        if (spec.accept && !spec.accept(text.slice(start, end))) continue;
        out.push({ start, end, type: spec.type, priority: spec.priority });
      }
    },
  };
}

const hasDigit = (s: string): boolean => /[0-9]/.test(s);
const hasMixedCase = (s: string): boolean => /[a-z]/.test(s) && /[A-Z]/.test(s);

/** `Basic <b64>` only counts when it decodes to printable `user:password`. */
function isBasicCredential(b64: string): boolean {
  const decoded = Buffer.from(b64, 'base64').toString('latin1');
  return decoded.includes(':') && /^[\x20-\x7e]+$/.test(decoded);
}

function isDiscordBotToken(token: string): boolean {
  const id = Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('latin1');
  return /^[0-9]{17,20}$/.test(id);
}

/** Template variables, masks and stock words in example URLs (`user:password@localhost`). */
const NOT_A_PASSWORD =
  /^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\{\{?[^}]*\}\}?|<[^>]*>|(.)\1*|%[A-Za-z_]+%|pass(?:word|wd)?|secret|changeme|example)$/i;
function isRealPassword(pw: string): boolean {
  return !NOT_A_PASSWORD.test(pw);
}

// Stops at the separator (`\0`), whitespace, quotes and the characters that end a URL in prose.
const URL_STOP = String.raw`\s"'<>\\\0`;

export const PATTERN_SPECS: readonly RegexRuleSpec[] = [
  {
    name: 'aws-access-key-id',
    keywords: ['akia', 'asia', 'a3t'],
    type: 'aws-access-key',
    priority: PRIORITY.vendor,
    // Ids glued together go in one match. One at a time, each redaction would only give the
    // next one its left boundary, one pass later.
    prefix: '(?:AKIA|ASIA|A3T[A-Z0-9])',
    notAfter: 'A-Za-z0-9',
    source: '[A-Z0-9]{16}(?:(?:AKIA|ASIA|A3T[A-Z0-9])[A-Z0-9]{16})*',
  },
  {
    name: 'aws-secret-access-key',
    keywords: ['secret'],
    type: 'aws-secret-key',
    priority: PRIORITY.vendor,
    source: String.raw`(?:aws_?)?secret_?access_?key\\*["'\x60]?[ \t]*(?::=|=>|:|=)[ \t]*\\*["'\x60]?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])`,
    flags: 'i',
    group: 1,
  },
  {
    name: 'github-token',
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    type: 'github-token',
    priority: PRIORITY.vendor,
    // `_` in the body (real tokens have none) so a token glued to the next is taken whole.
    prefix: '(?:gh[pousr]|github_pat)_',
    notAfter: 'A-Za-z0-9_',
    source: '[A-Za-z0-9_]{22,}',
    // Classic tokens have 36 characters after `ghp_`. `ghs_some_long_snake_case_name` is an
    // identifier: real tokens are random, so have digits.
    accept: (s) => hasDigit(s) && (s.startsWith('github_pat_') || s.length >= 34),
  },
  {
    name: 'anthropic-api-key',
    keywords: ['sk-ant-'],
    type: 'anthropic-api-key',
    priority: PRIORITY.vendor + 2, // beats the generic `sk-` rule below on the same span
    prefix: 'sk-ant-',
    notAfter: 'A-Za-z0-9_-',
    source: '[A-Za-z0-9_-]{20,}',
  },
  {
    name: 'openai-api-key',
    keywords: ['sk-'],
    type: 'openai-api-key',
    priority: PRIORITY.vendor,
    // Project/service/admin keys, and the legacy `sk-<48>` form (other vendors reuse `sk-`).
    prefix: 'sk-',
    notAfter: 'A-Za-z0-9_-',
    source: '(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}|(?!ant-)[A-Za-z0-9_-]{32,})',
    // A hyphenated slug after `sk-` is prose, not a key: real keys contain digits.
    accept: hasDigit,
  },
  {
    name: 'stripe-key',
    keywords: ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'],
    type: 'stripe-key',
    priority: PRIORITY.vendor,
    prefix: '[sr]k_(?:live|test)_',
    notAfter: 'A-Za-z0-9_',
    source: '[A-Za-z0-9]{16,}',
  },
  {
    name: 'stripe-webhook-secret',
    keywords: ['whsec_'],
    type: 'stripe-key',
    priority: PRIORITY.vendor,
    prefix: 'whsec_',
    notAfter: 'A-Za-z0-9_',
    source: '[A-Za-z0-9+/=]{24,}',
  },
  {
    name: 'google-api-key',
    keywords: ['aiza'],
    type: 'google-api-key',
    priority: PRIORITY.vendor,
    // No trailing boundary: if something is glued on, still take the 39 characters.
    prefix: 'AIza',
    notAfter: 'A-Za-z0-9_-',
    source: '[0-9A-Za-z_-]{35}(?:AIza[0-9A-Za-z_-]{35})*',
  },
  {
    name: 'google-oauth-token',
    keywords: ['ya29.', 'gocspx-'],
    type: 'google-oauth-token',
    priority: PRIORITY.vendor,
    prefix: String.raw`(?:ya29\.|GOCSPX-)`,
    notAfter: 'A-Za-z0-9_-',
    source: '[0-9A-Za-z_-]{20,}',
  },
  {
    name: 'slack-token',
    keywords: ['xox', 'xapp-'],
    type: 'slack-token',
    priority: PRIORITY.vendor,
    prefix: '(?:xox[abposre]|xapp)-',
    notAfter: 'A-Za-z0-9',
    source: '[A-Za-z0-9-]{10,}',
  },
  {
    name: 'slack-webhook',
    keywords: ['https://hooks.slack.com/'],
    type: 'slack-webhook',
    priority: PRIORITY.vendor,
    // Team id (`T…`) first: `services/xxx/xxx/xxx` in docs is a placeholder.
    source: String.raw`https://hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]{6,}/[A-Za-z0-9_/-]{10,}`,
  },
  {
    name: 'jwt',
    keywords: ['eyj'],
    type: 'jwt',
    priority: PRIORITY.jwt,
    // Header and payload are base64url JSON objects, so both start with `eyJ` (`{"`).
    prefix: 'eyJ',
    notAfter: 'A-Za-z0-9_-',
    source: String.raw`[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`,
  },
  {
    name: 'bearer-token',
    keywords: ['bearer'],
    type: 'bearer-token',
    priority: PRIORITY.bearer,
    prefix: 'bearer',
    notAfter: 'A-Za-z0-9_',
    source: String.raw`[ \t]+([A-Za-z0-9._~+/-]{16,}=*)`,
    flags: 'i',
    group: 1,
    // "Bearer token-based-authentication" is prose; real tokens have digits or mixed case.
    accept: (s) => hasDigit(s) || hasMixedCase(s),
  },
  {
    name: 'basic-auth-header',
    keywords: ['basic'],
    type: 'basic-auth',
    priority: PRIORITY.basicAuth,
    prefix: 'Basic',
    notAfter: 'A-Za-z0-9_',
    source: String.raw`[ \t]+([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])`,
    group: 1,
    accept: isBasicCredential,
  },
  {
    name: 'discord-bot-token',
    type: 'discord-bot-token',
    priority: PRIORITY.vendor,
    // `<user id, base64>.<timestamp>.<hmac>`: no keyword in front needed, the first part must
    // decode to the bot's numeric id, which random base64url almost never does.
    prefix: '[MNO]',
    notAfter: 'A-Za-z0-9_.-',
    source: String.raw`[A-Za-z0-9_-]{22,26}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,40}(?![A-Za-z0-9_-])`,
    accept: isDiscordBotToken,
  },
  {
    name: 'url-userinfo',
    keywords: ['://'],
    type: 'basic-auth',
    priority: PRIORITY.basicAuth,
    // Password runs to the *last* `@` of the authority, as URL parsers read it.
    // Anchored on `://` (a fast literal search); the scheme does not matter.
    source: `://[^${URL_STOP}:/?#@]*:([^${URL_STOP}/?#]+)@`,
    group: 1,
    accept: isRealPassword,
  },
  {
    name: 'url-param',
    keywords: [...SECRET_PARAM_NAMES].map((n) => `${n}=`),
    type: 'url-param',
    priority: PRIORITY.urlParam,
    // In free text only values of 8+ characters, so `?code=200` stays readable.
    source: `[?&;#](?:${SECRET_PARAM_NAMES_SOURCE})=([^${URL_STOP}&#]{8,})`,
    flags: 'i',
    group: 1,
  },
];

export function privateKeyRule(): TextRule {
  const begin = /-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----/g;
  // Complete block: lazily up to the nearest END line, never across quotes/brackets/`\0`
  // (so a block inside a JSON string, with literal `\n` escapes, is taken whole).
  // Stops at the next BEGIN too, so a run of unterminated headers costs linear time.
  const toEnd = /(?:(?!-----BEGIN)[^"'`<>{}[\]\0]){0,65536}?-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----/y;
  // Truncated block (no END, e.g. cut-off tool output): header lines and base64 lines,
  // each starting with a real or an escaped newline.
  const lines = /(?:(?:\r?\n|\\r\\n|\\n)[ \t]*(?:(?:Proc-Type|DEK-Info|Comment):[^\r\n\\\0]*|[A-Za-z0-9+/=]+))*/y;
  return {
    name: 'private-key',
    scan(text, out) {
      begin.lastIndex = 0;
      for (let m = begin.exec(text); m !== null; m = begin.exec(text)) {
        const bodyStart = m.index + m[0].length;
        toEnd.lastIndex = bodyStart;
        let end = toEnd.exec(text) !== null ? toEnd.lastIndex : -1;
        if (end < 0) {
          lines.lastIndex = bodyStart;
          lines.exec(text);
          end = Math.max(lines.lastIndex, bodyStart);
        }
        out.push({ start: m.index, end, type: 'private-key', priority: PRIORITY.privateKey });
        begin.lastIndex = Math.max(begin.lastIndex, end);
      }
    },
  };
}

/** The hand-written rules with their keywords (keywords.ts). */
export function patternGatedRules(): GatedRule[] {
  return [
    { keywords: ['-----begin'], rule: privateKeyRule() },
    ...PATTERN_SPECS.map((spec) => ({ keywords: spec.keywords ?? [], rule: regexRule(spec) })),
  ];
}
