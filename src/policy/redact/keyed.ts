/**
 * The one high-entropy rule, deliberately narrow: a value right after a key-like word
 * (`password=`, `"apiKey": "…"`, `DB_PASSWORD=…`), or a string stored under such an
 * object key. A general entropy scan would eat hashes, UUIDs and base64 images.
 */
import { shannonEntropy } from "./entropy.js";
import { PRIORITY, type Finding, type TextRule } from "./finding.js";
import { isPlaceholder } from "./tag.js";

export const MIN_LENGTH = 16;
export const MIN_ENTROPY = 3.5;
const MAX_LENGTH = 4096; // long enough for an AWS session token

const KEY_WORD = String.raw`(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret)(?:[_-]?key)?`;

/** An object key that names a credential: `password`, `apiKey`, `GITHUB_TOKEN`, `x-api-key`… */
const KEY_NAME = new RegExp(`${KEY_WORD}$`, "i");

// Unquoted values stop at the characters that end a value in code, env files, prose and
// query strings (`&`: `access_token=…&token_type=bearer` is two parameters, not one value).
const BARE = String.raw`[^\s"'\x60\\,;&<>(){}[\]\0]`;
const QUOTED = String.raw`[^\s"'\x60\\\0]`;
const TEXT_SOURCE =
  KEY_WORD +
  // `(?!=)`: `token == null` and `token === x` are comparisons, not assignments.
  String.raw`\\*["'\x60]?[ \t]*(?::=|=>|:|=)(?!=)[ \t]*` +
  // Quoted (also `\"…\"` inside escaped JSON: same backslashes and quote on both sides)…
  String.raw`(?:(\\*)(["'\x60])(${QUOTED}{${MIN_LENGTH},${MAX_LENGTH}})\1\2` +
  // …or bare, taken whole. Unbounded on purpose: with an upper bound, a longer run would
  // backtrack through every shorter length at every key word in it (quadratic); this way
  // the match always succeeds and the scan resumes after the run. Length is checked later.
  String.raw`|(${BARE}{${MIN_LENGTH},}))`;

const DOTTED_IDENTIFIER = /^[A-Za-z_$][\w$]*(?:[?!]?\.[A-Za-z_$][\w$]*)+$/;
const ABSOLUTE_PATH = /^(?:~|\.{1,2})?\/[^/]*\/.*$/;
const NAME_CHARS = /^[\w$.:?!/-]+$/;

/**
 * Names are made of words: long parts and many vowels. Random keys split into many 1–2 char
 * parts (`Xy7aB9eK` → Xy,7,a,B,9,e,K) and have ~19% vowels. Catches `questionOrExclamationToken`,
 * `exchangeX509Token`, `ANTHROPIC_API_KEY`, `your-api-key-here`, `urn:openai:params:oauth:token`.
 */
function looksLikeName(value: string): boolean {
  const parts = value.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+/g) ?? [];
  const letters = value.replace(/[^A-Za-z]/g, "");
  const vowels = letters.replace(/[^aeiouAEIOU]/g, "").length;
  const partChars = parts.reduce((n, p) => n + p.length, 0);
  return letters.length >= 8 && vowels / letters.length >= 0.3 && partChars / parts.length >= 3;
}

/**
 * Identifiers, paths, variables and URLs sit after `token =` in code all the time
 * (`endToken = findPrecedingToken`, `apiKey: process.env.API_KEY`, `secret: /run/secrets/db`).
 */
function looksLikeCode(value: string): boolean {
  if (/^[$%{<]/.test(value) || value.includes("://")) return true;
  if (DOTTED_IDENTIFIER.test(value) || ABSOLUTE_PATH.test(value)) return true;
  if (value.includes("||") || value.includes("&&")) return true;
  return NAME_CHARS.test(value) && looksLikeName(value);
}

export function isKeyedSecret(value: string): boolean {
  return (
    value.length >= MIN_LENGTH &&
    value.length <= MAX_LENGTH &&
    !/\s/.test(value) &&
    !isPlaceholder(value) &&
    !looksLikeCode(value) &&
    shannonEntropy(value) >= MIN_ENTROPY
  );
}

export function isSecretKeyName(name: string): boolean {
  return KEY_NAME.test(name);
}

export function keyedEntropyRule(): TextRule {
  const re = new RegExp(TEXT_SOURCE, "gid");
  return {
    name: "high-entropy",
    scan(text: string, out: Finding[]) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        const span = m.indices?.[3] ?? m.indices?.[4];
        if (span === undefined) continue;
        const [start, end] = span;
        if (isKeyedSecret(text.slice(start, end))) {
          out.push({ start, end, type: "high-entropy", priority: PRIORITY.highEntropy });
        }
      }
    },
  };
}
