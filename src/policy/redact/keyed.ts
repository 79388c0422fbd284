/**
 * The keyword detector: a value assigned to a secret-looking *name*, whatever its shape — in
 * env files (`DB_PASSWORD=…`), INI/TOML (`api_key = "…"`), YAML (`client_secret: …`), JSON
 * (`"private_key_id": "…"`), header lines (`X-Api-Key: …`), CLI flags (`--password …`,
 * `--dd-api-key=…`), connection strings (`AccountKey=…;`, `Pwd=…;`), or a string stored under
 * such an object key. The value's own shape is judged too (length, entropy, not a placeholder,
 * not code), because a general entropy scan would eat hashes, UUIDs and base64 images.
 * Key words after detect-secrets's keyword plugin (Apache-2.0) and the list.
 */
import { shannonEntropy } from './entropy.js';
import { PRIORITY, type Finding, type TextRule } from './finding.js';
import { isPlaceholder } from './tag.js';

export const MIN_LENGTH = 16;
export const MIN_ENTROPY = 3.5;
/** Passwords are often short and human-made: a lower floor, but only under a password name. */
const MIN_PASSWORD_LENGTH = 8;
const MIN_PASSWORD_ENTROPY = 2.75;
/** Hex has 16 symbols: 32 random hex digits average ~3.6 bits and dip below 3.5 (detect-secrets uses 3.0). */
const MIN_HEX_ENTROPY = 3.0;
const MIN_MIXED_ENTROPY = 3.2;
const MAX_LENGTH = 4096; // long enough for an AWS session token

const PASSWORD_WORD = 'pass(?:word|wd|phrase)|pwd';
const KEY_WORD =
  `(?:${PASSWORD_WORD}|secret|token|api[_-]?key|access[_-]?key|account[_-]?key|shared[_-]?access[_-]?key|` +
  'private[_-]?key(?:[_-]?id)?|client[_-]?secret|(?:auth|encryption|signing|master)[_-]?key)(?:[_-]?key)?';

/** An object key that names a credential: `password`, `apiKey`, `GITHUB_TOKEN`, `x-api-key`… */
const KEY_NAME = new RegExp(`${KEY_WORD}$`, 'i');
const PASSWORD_NAME = new RegExp(`(?:${PASSWORD_WORD})$`, 'i');

// Unquoted values stop at the characters that end a value in code, env files, prose and
// query strings (`&`: `access_token=…&token_type=bearer` is two parameters, not one value).
const BARE = String.raw`[^\s"'\x60\\,;&<>(){}[\]\0]`;
const QUOTED = String.raw`[^\s"'\x60\\\0]`;
const VALUE =
  // Quoted (also `\"…\"` inside escaped JSON: same backslashes and quote on both sides)…
  String.raw`(?:(?<bs>\\*)(?<q>["'\x60])(?<quoted>${QUOTED}{${MIN_PASSWORD_LENGTH},${MAX_LENGTH}})\k<bs>\k<q>` +
  // …or bare, taken whole. Unbounded on purpose: with an upper bound, a longer run would
  // backtrack through every shorter length at every key word in it (quadratic); this way
  // the match always succeeds and the scan resumes after the run. Length is checked later.
  `|(?<bare>${BARE}{${MIN_PASSWORD_LENGTH},}))`;
/**
 * Starts at the operator and looks back for the name: a pattern starting at the name is tried at
 * every letter a name can start with (it was ~15% of the redactor's time); `:` and `=` are rarer,
 * and the lookbehind fails fast when no name ends there. It goes after the operator (as a rule's
 * prefix does in patterns.ts): first in the pattern, it would run at every position. Same matches:
 * the name only ever mattered as what stands right before the operator.
 */
const OPERATOR = '(?::=|=>|:|=)';
const TEXT_SOURCE =
  String.raw`${OPERATOR}(?<=(?<key>${KEY_WORD})\\*["'\x60]?[ \t]*${OPERATOR})` +
  // `(?!=)`: `token == null` and `token === x` are comparisons, not assignments.
  String.raw`(?!=)[ \t]*` +
  VALUE;
/**
 * A CLI flag and its value as the next word: `--password s3cr3t`, `--dd-api-key 0a1b…`. The
 * `=` form is the assignment above. Anchored on `--` (a fast literal search).
 */
const FLAG_SOURCE = String.raw`--(?<![\w-]--)(?:[A-Za-z0-9]+[_-])*(?<key>${KEY_WORD})[ \t]+` + VALUE;

const DOTTED_IDENTIFIER = /^[A-Za-z_$][\w$]*(?:[?!]?\.[A-Za-z_$][\w$]*)+$/;
const ABSOLUTE_PATH = /^(?:~|\.{1,2})?\/[^/]*\/.*$/;
const NAME_CHARS = /^[\w$.:?!/-]+$/;

/**
 * Names are made of words: many vowels, and per separator-delimited word either one case
 * (`ANTHROPIC`, `token`) or camelCase parts of 3+ letters with short acronyms
 * (`questionOrExclamationToken`, `exchangeX509Token`, `parseHTTPResponse`). Random keys have
 * ~19% vowels, and their case flips make many 1–2 letter parts and long capital runs
 * (`tYCMKagUoxieJCDGkire` → t, YCM, Kag, Uoxie, JCD, Gkire).
 */
function looksLikeName(value: string): boolean {
  const letters = value.replace(/[^A-Za-z]/g, '');
  const vowels = letters.replace(/[^aeiouAEIOU]/g, '').length;
  if (letters.length < 8 || vowels / letters.length < 0.3) return false;
  return value.split(/[^A-Za-z0-9]+/).every(isWordLike);
}

function isWordLike(word: string): boolean {
  if (word.length === 0 || /^[0-9]+$/.test(word)) return true;
  if (/^(?:[A-Z]+|[a-z]+)[0-9]*$/.test(word)) return word.length <= 24;
  const parts = word.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+/g) ?? [];
  let short = 0;
  let acronyms = 0;
  for (const part of parts) {
    if (/^[0-9]+$/.test(part)) continue;
    if (/^[A-Z]+$/.test(part)) {
      if (part.length > 5 || ++acronyms > 1) return false; // acronyms are short, and rare
    } else if (part.length < 3 && ++short > 1) {
      return false; // one `Or`/`To` is fine, random case flips make many
    }
  }
  return true;
}

/**
 * Identifiers, paths, variables and URLs sit after `token =` in code all the time
 * (`endToken = findPrecedingToken`, `apiKey: process.env.API_KEY`, `secret: /run/secrets/db`).
 */
function looksLikeCode(value: string): boolean {
  if (/^[$%{<]/.test(value) || value.includes('://')) return true;
  if (DOTTED_IDENTIFIER.test(value)) return true;
  // `/run/secrets/db`, but not base64 that happens to start with `/` (`/N7AELFuU33qt1z…/q`).
  if (ABSOLUTE_PATH.test(value) && !value.split('/').some(isRandomWord)) return true;
  if (value.includes('||') || value.includes('&&')) return true;
  return NAME_CHARS.test(value) && looksLikeName(value);
}

/** Upper and lower case and digits together in one long run: machine-made, not a name. */
function isRandomWord(word: string): boolean {
  return word.length >= 12 && /[0-9]/.test(word) && hasMixedCase(word);
}

function hasMixedCase(value: string): boolean {
  return /[a-z]/.test(value) && /[A-Z]/.test(value);
}

function isHex(value: string): boolean {
  return /^[0-9a-f]+$/i.test(value) && /[0-9]/.test(value) && /[a-f]/i.test(value);
}

/**
 * Whether `value`, assigned to a secret-looking name, looks like a real secret. Under a
 * password name (`keyName` given) shorter values count; elsewhere 16+ characters.
 */
export function isKeyedSecret(value: string, keyName?: string): boolean {
  const password = keyName !== undefined && PASSWORD_NAME.test(keyName);
  const minLength = password ? MIN_PASSWORD_LENGTH : MIN_LENGTH;
  if (value.length < minLength || value.length > MAX_LENGTH || /\s/.test(value)) return false;
  // Hex is never code, but a-f are a third vowels: random hex can pass for a name.
  if (isPlaceholder(value) || (!isHex(value) && looksLikeCode(value)) || isStockWord(value)) return false;
  const entropy = shannonEntropy(value);
  if (password && value.length < MIN_LENGTH) {
    // A human password: not one word, so a digit or a symbol as well as letters.
    return entropy >= MIN_PASSWORD_ENTROPY && /[A-Za-z]/.test(value) && /[^A-Za-z]/.test(value);
  }
  if (isHex(value)) return entropy >= MIN_HEX_ENTROPY;
  // Digits and both cases: 20 random ones average ~4 bits and can dip under 3.5.
  return entropy >= (/[0-9]/.test(value) && hasMixedCase(value) ? MIN_MIXED_ENTROPY : MIN_ENTROPY);
}

/** Placeholders people write instead of a secret: `changeme`, `<your-key>`, `xxxx`, `your_token_here`. */
const STOCK =
  /^(?:change[_-]?me|changeit|password\d*|secret\d*|example[\w-]*|dummy[\w-]*|test[\w-]*|placeholder[\w-]*|redacted|none|null|undefined|true|false)$|^x{4,}|^\*{3,}|^<[^>]*>$|your[_-]|[_-]here$|^\$\{?\w+\}?$|^\{\{.*\}\}$/i;
function isStockWord(value: string): boolean {
  return STOCK.test(value);
}

export function isSecretKeyName(name: string): boolean {
  return KEY_NAME.test(name);
}

/** `--api-key` / `-password` before a value in an argv-like array: the name, else undefined. */
export function secretFlagName(flag: string | undefined): string | undefined {
  const name = flag === undefined ? undefined : /^--?([A-Za-z0-9][A-Za-z0-9_-]*)$/.exec(flag)?.[1];
  return name !== undefined && isSecretKeyName(name) ? name : undefined;
}

function keyedRule(name: string, source: string): TextRule {
  const re = new RegExp(source, 'gid');
  return {
    name,
    scan(text: string, out: Finding[]) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        const groups = m.indices?.groups;
        const span = groups?.quoted ?? groups?.bare;
        if (span === undefined) continue;
        const [start, end] = span;
        if (isKeyedSecret(text.slice(start, end), m.groups?.key)) {
          out.push({ start, end, type: 'high-entropy', priority: PRIORITY.highEntropy });
        }
      }
    },
  };
}

export function keyedEntropyRule(): TextRule {
  const assigned = keyedRule('high-entropy', TEXT_SOURCE);
  const flags = keyedRule('high-entropy-flag', FLAG_SOURCE);
  return {
    name: 'high-entropy',
    scan(text, out) {
      assigned.scan(text, out);
      flags.scan(text, out);
    },
  };
}
