#!/usr/bin/env node
/**
 * Generates src/policy/redact/rules/gitleaks/rules.ts from gitleaks's rule file, so the runtime
 * needs no TOML parser and no RE2 conversion. Run it on a gitleaks checkout:
 *
 *   node scripts/gitleaks-rules.mjs <gitleaks-checkout> [--version v8.30.1]
 *
 * It reads config/gitleaks.toml and LICENSE at the checkout's HEAD, converts each regex to
 * JavaScript (scripts/lib/go-regex.mjs) and writes every rule it cannot use into the module's
 * SKIPPED list with the reason, never dropping one silently. Review the diff, then commit both
 * the module and the LICENSE beside it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { goRegexToJs } from './lib/go-regex.mjs';

const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'policy', 'redact', 'rules', 'gitleaks');

/**
 * Rules agenttap covers another way. generic-api-key is a name-based detector (any `key = value`
 * with entropy): keyed.ts does that job with placeholder and code checks tuned on agent
 * traffic, and gitleaks's version starts with `[\w.-]{0,50}?` on keywords (`key`, `token`,
 * `api`) that every request body contains, which would cost a regex attempt at every position.
 */
const REPLACED = {
  'generic-api-key': "covered by agenttap's keyword detector (keyed.ts), tuned for agent traffic",
};

/**
 * Upstream regexes changed here, each with why. gitleaks scans a file, and its keywords say
 * "this file mentions the provider"; a request body is a whole conversation, so a keyword
 * anywhere in it would arm an alternative that matches common non-secrets everywhere else.
 */
const PATCHES = {
  // A bare 40-hex alternative: every git SHA in a conversation that mentions Sourcegraph once.
  'sourcegraph-access-token': ['|[a-fA-F0-9]{40})', ')'],
};

/**
 * gitleaks's secret suffix `(?:[\x60'"\s;]|\\[nr]|$)` only admits a quote, whitespace, `;`, an
 * escaped newline or the end. A token in a URL path (`/api/dapi…/`), a query (`?key=…&`) or
 * code (`f(tok)`, `[tok]`) ends with other characters, and inside JSON-escaped text any escape
 * (`\\"`, `\\n`) follows it: those end it too here, as a lookahead so two secrets in a row both match.
 */
const SECRET_SUFFIX = String.raw`(?:[\x60'"\s;]|\\[nr]|$)`;
const JS_SECRET_SUFFIX = String.raw`(?=[\x60'"\s;,/?&#)\]}>|\\]|$)`;

/**
 * Text lifted from inside a JSON string keeps its escapes: `…\\nLTAI…` has no word boundary
 * before the token, and `KEY=\\"value\\"` puts a backslash before the quote. So `\b` also holds
 * after a literal `\n`/`\r`/`\t` escape (go-regex.mjs `escapeAwareBoundary`), and the
 * semi-generic rules' separators accept escaped quotes and whitespace.
 */
const ESCAPE_AWARE = [
  [String.raw`[\s'"]{0,3}`, String.raw`(?:[\s'"]|\\[nrt"']){0,3}`],
  [String.raw`[\x60'"\s=]{0,5}`, String.raw`(?:[\x60'"\s=]|\\[nrt"'\x60]){0,5}`],
  // azure-ad-client-secret has its own boundaries; the same for them, `&`/`;` end it in a URL, and `/` on
  // either side: a secret in a URL path, or quoted back in an API error about that path.
  [String.raw`(?:^|[\\'"\x60\s>=:(,)])`, String.raw`(?:^|[\\'"\x60\s>=:(,)/]|(?<=\\[nrt]))`],
  [String.raw`(?:$|[\\'"\x60\s<),])`, String.raw`(?:$|[\\'"\x60\s<),&;/])`],
];

function escapeAware(pattern) {
  let p = pattern;
  for (const [from, to] of ESCAPE_AWARE) p = p.split(from).join(to);
  return p;
}

function git(checkout, ...args) {
  return execFileSync('git', ['-C', checkout, ...args], { encoding: 'utf8' });
}

/**
 * gitleaks's semi-generic rules open with `[\w.-]{0,50}?` to capture the key's name for its
 * report. Only the secret group is redacted here, and dropping an optional lazy prefix never
 * changes whether (or where) the secret group matches — but it stops V8 from trying the
 * pattern at every word character.
 * Stripped at the start, also right inside a leading `(?i:` (some rules repeat it there).
 */
const LEADING_NAME_PREFIX = /^((?:\(\?[is]+\))*(?:\(\?i:)?)\[\\w\.-\]\{0,50\}\?/;

/**
 * A leading `\b` (also inside leading groups: `\b(\b(?:sgp_…`) is checked in code instead
 * (gitleaks.ts `boundary`): in the regex, the escape-aware form is a lookbehind, and a pattern
 * that starts with one loses V8's literal search (each rule ~20x slower per MB).
 */
const LEADING_BOUNDARY = /^((?:\((?:\?:)?)*)\\b/;

function convert(pattern) {
  let p = pattern;
  for (let before = ''; before !== p; ) {
    before = p;
    p = p.replace(LEADING_NAME_PREFIX, '$1');
  }
  const lead = /^(?:\(\?[is]+\))*/.exec(p)[0];
  let rest = p.slice(lead.length);
  let boundary = false;
  while (LEADING_BOUNDARY.test(rest)) {
    rest = rest.replace(LEADING_BOUNDARY, '$1');
    boundary = true;
  }
  const rx = goRegexToJs(
    escapeAware(lead + rest)
      .split(SECRET_SUFFIX)
      .join(JS_SECRET_SUFFIX),
    {
      escapeAwareBoundary: true,
    },
  );
  return boundary ? { ...rx, boundary } : rx;
}

function convertAllowlist(list, id) {
  if (list.paths && list.condition === 'AND') return undefined; // needs a path: never applies to a body
  if (list.commits && list.condition === 'AND') return undefined;
  const regexes = (list.regexes ?? []).map((r) => goRegexToJs(r));
  const stopwords = list.stopwords ?? [];
  if (regexes.length === 0 && stopwords.length === 0) return undefined;
  const target = list.regexTarget ?? 'secret';
  if (!['secret', 'match', 'line'].includes(target)) throw new Error(`${id}: regexTarget ${target}`);
  return {
    target,
    ...(list.condition === 'AND' ? { all: true } : {}),
    regexes,
    ...(stopwords.length ? { stopwords: stopwords.map((s) => s.toLowerCase()) } : {}),
  };
}

function main() {
  const args = process.argv.slice(2);
  const checkout = args[0];
  if (!checkout) throw new Error('usage: node scripts/gitleaks-rules.mjs <gitleaks-checkout> [--version vX]');
  const vIndex = args.indexOf('--version');
  const commit = git(checkout, 'rev-parse', 'HEAD').trim();
  const version = vIndex > 0 ? args[vIndex + 1] : git(checkout, 'describe', '--tags').trim();
  const toml = git(checkout, 'show', 'HEAD:config/gitleaks.toml');
  const license = git(checkout, 'show', 'HEAD:LICENSE');
  const config = parse(toml);

  const rules = [];
  const skipped = [];
  for (const rule of config.rules) {
    const id = rule.id;
    if (REPLACED[id]) {
      skipped.push({ id, reason: REPLACED[id] });
      continue;
    }
    if (!rule.regex) {
      skipped.push({ id, reason: `matches a file path only (${rule.path}), which a request body does not have` });
      continue;
    }
    if (rule.path) {
      skipped.push({ id, reason: `applies to files matching ${rule.path} only; a request body has no path` });
      continue;
    }
    try {
      const patch = PATCHES[id];
      if (patch && !rule.regex.includes(patch[0])) throw new Error(`patch for ${id} no longer applies`);
      const rx = convert(patch ? rule.regex.split(patch[0]).join(patch[1]) : rule.regex);
      const allow = (rule.allowlists ?? []).map((l) => convertAllowlist(l, id)).filter(Boolean);
      rules.push({
        id,
        source: rx.source,
        flags: rx.flags,
        ...(rx.boundary ? { boundary: true } : {}),
        keywords: [...new Set((rule.keywords ?? []).map((k) => k.toLowerCase()))],
        ...(rule.secretGroup ? { group: rule.secretGroup } : {}),
        ...(rule.entropy ? { entropy: rule.entropy } : {}),
        ...(allow.length ? { allow } : {}),
      });
    } catch (err) {
      skipped.push({ id, reason: `regex not convertible: ${err.message}` });
    }
  }
  const global = convertAllowlist(config.allowlist ?? {}, 'global');

  const header = `/**
 * GENERATED by scripts/gitleaks-rules.mjs from gitleaks ${version}
 * (https://github.com/gitleaks/gitleaks, commit ${commit}, config/gitleaks.toml).
 * Do not edit: re-run the script. gitleaks is MIT-licensed, Copyright (c) 2019 Zachary Rice;
 * the full licence is in LICENSE beside this file.
 * Regexes are converted from Go RE2 to JavaScript; \`SKIPPED\` lists every upstream rule left out, with why.
 */
import type { GitleaksData } from "./types.js";
`;
  const data = {
    upstream: { repository: 'https://github.com/gitleaks/gitleaks', version, commit, license: 'MIT' },
    ...(global ? { allow: global } : {}),
    rules,
    skipped,
  };
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(
    join(OUT_DIR, 'rules.ts'),
    `${header}\nexport const GITLEAKS: GitleaksData = ${JSON.stringify(data, null, 2)};\n`,
  );
  writeFileSync(join(OUT_DIR, 'LICENSE'), license);
  process.stdout.write(`gitleaks ${version}: ${rules.length} rules, ${skipped.length} skipped\n`);
  for (const s of skipped) process.stdout.write(`  skipped ${s.id}: ${s.reason}\n`);
}

main();
