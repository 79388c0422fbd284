/**
 * Go RE2 → JavaScript regex source, for gitleaks's rule file (used at generation time only).
 * RE2 syntax a JavaScript engine reads differently or not at all:
 * - flag groups `(?i)` (whole pattern, or the rest of the enclosing group, across its `|`s) and
 *   `(?i:…)`/`(?-i:…)`/`(?s:…)`: Node 20 has no inline modifiers, so regexpu-core compiles them
 *   to plain classes (`[Aa]`);
 * - POSIX classes `[[:alnum:]]`; `\z`, `\A`; `\Q…\E`; `\x{HHHH}`; `(?P<name>`;
 * - a `]` right after `[` or `[^` is a literal in RE2 (`[^]]`), "any character" or an empty class in JS.
 * Throws on anything it does not know, so a new construct upstream fails the generator loudly.
 */
import rewritePattern from 'regexpu-core';

const POSIX = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const FLAG_GROUP = /^\(\?([imsU-]+)\)/;
const FLAG_OPEN = /^\(\?([imsU]*(?:-[imsU]+)?):/;

function checkFlags(flags, where) {
  if (/U/.test(flags)) throw new Error(`ungreedy flag U is not supported (${where})`);
  if (/m/.test(flags)) throw new Error(`flag m is not supported (${where})`);
}

/** A character class starting at `i` (the `[`): returns [jsText, nextIndex]. */
function readClass(p, i) {
  let out = '[';
  let j = i + 1;
  if (p[j] === '^') {
    out += '^';
    j++;
  }
  if (p[j] === ']') {
    out += '\\]';
    j++;
  }
  while (j < p.length && p[j] !== ']') {
    const posix = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(j));
    if (posix) {
      const body = POSIX[posix[2]];
      if (body === undefined || posix[1]) throw new Error(`POSIX class ${posix[0]} is not supported`);
      out += body;
      j += posix[0].length;
      continue;
    }
    if (p[j] === '\\') {
      out += escapeAt(p, j, true, {});
      j += escapeLength(p, j);
      continue;
    }
    // JS (without the u flag) reads `[` in a class as a literal too; escape it to be explicit.
    out += p[j] === '[' ? '\\[' : p[j];
    j++;
  }
  if (p[j] !== ']') throw new Error('unterminated character class');
  return [`${out}]`, j + 1];
}

function escapeLength(p, i) {
  const next = p[i + 1];
  if (next === 'x' && p[i + 2] === '{') return p.indexOf('}', i) - i + 1;
  if ((next === 'p' || next === 'P') && p[i + 2] === '{') return p.indexOf('}', i) - i + 1;
  return 2;
}

function escapeAt(p, i, inClass, options) {
  const next = p[i + 1];
  if (next === undefined) throw new Error('trailing backslash');
  if (next === 'b' && !inClass && options.escapeAwareBoundary) return String.raw`(?:\b|(?<=\\[nrt]))`;
  if (next === 'z' && !inClass) return '$';
  if (next === 'A' && !inClass) return '^';
  if (next === 'x' && p[i + 2] === '{') {
    const hex = p.slice(i + 3, p.indexOf('}', i));
    if (!/^[0-9A-Fa-f]{1,4}$/.test(hex)) throw new Error(`\\x{${hex}} is not supported`);
    return `\\u${hex.padStart(4, '0')}`;
  }
  if (next === 'p' || next === 'P' || next === 'C' || next === 'Q' || next === 'E') {
    throw new Error(`\\${next} is not supported`);
  }
  return p.slice(i, i + 2);
}

/**
 * Rewrites RE2-only syntax; `(?flags)` in the middle of a group becomes `(?flags:` up to the
 * group's end, closed and reopened around each `|` (RE2 keeps the flags across alternatives).
 * Returns the source (may still hold modifier groups) and the leading flags.
 */
function rewriteSyntax(pattern, options) {
  let p = pattern;
  let flags = '';
  for (let m = FLAG_GROUP.exec(p); m; m = FLAG_GROUP.exec(p)) {
    checkFlags(m[1], 'leading');
    if (m[1].includes('-')) throw new Error('leading flag removal is not supported');
    flags += m[1];
    p = p.slice(m[0].length);
  }
  // Each open group: the flag groups opened inside it that must close with it.
  const stack = [{ open: [] }];
  let out = '';
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    const top = stack[stack.length - 1];
    if (c === '\\') {
      out += escapeAt(p, i, false, options);
      i += escapeLength(p, i);
    } else if (c === '[') {
      const [text, next] = readClass(p, i);
      out += text;
      i = next;
    } else if (c === '(') {
      const rest = p.slice(i);
      const setFlags = FLAG_GROUP.exec(rest);
      if (setFlags) {
        checkFlags(setFlags[1], 'inline');
        out += `(?${setFlags[1]}:`;
        top.open.push(setFlags[1]);
        i += setFlags[0].length;
        continue;
      }
      const modifier = FLAG_OPEN.exec(rest);
      const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      // Not RE2: lookarounds the generator itself puts in (its secret prefix and suffix).
      const lookahead = /^\(\?<?[=!]/.exec(rest);
      if (modifier || lookahead) {
        if (modifier) checkFlags(modifier[1], 'group');
        out += (modifier ?? lookahead)[0];
        i += (modifier ?? lookahead)[0].length;
      } else if (named) {
        out += `(?<${named[1]}>`;
        i += named[0].length;
      } else if (rest.startsWith('(?')) {
        throw new Error(`group ${rest.slice(0, 4)} is not supported`);
      } else {
        out += '(';
        i++;
      }
      stack.push({ open: [] });
    } else if (c === ')') {
      out += `${')'.repeat(top.open.length)})`;
      stack.pop();
      if (stack.length === 0) throw new Error('unbalanced )');
      i++;
    } else if (c === '|') {
      out += `${')'.repeat(top.open.length)}|${top.open.map((f) => `(?${f}:`).join('')}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  if (stack.length !== 1) throw new Error('unbalanced (');
  out += ')'.repeat(stack[0].open.length);
  return { source: out, flags };
}

const HAS_MODIFIER = /\(\?-?[ims]+(?:-[ims]+)?:/;

/**
 * @param {string} pattern RE2 source
 * @param {{ escapeAwareBoundary?: boolean }} [options] `escapeAwareBoundary`: `\b` also holds
 *   right after a literal `\n`/`\r`/`\t` escape (text lifted from inside a JSON string)
 * @returns {{ source: string, flags: string }} JavaScript source and flags (of "i", "s")
 */
export function goRegexToJs(pattern, options = {}) {
  const { source, flags } = rewriteSyntax(pattern, options);
  let out = { source, flags: [...new Set(flags)].sort().join('') };
  // Only modifier groups need regexpu-core; the leading flags are folded into one group so
  // the whole pattern is compiled to flag-free JavaScript consistently.
  if (HAS_MODIFIER.test(source)) {
    const wrapped = out.flags ? `(?${out.flags}:${source})` : source;
    out = { source: rewritePattern(wrapped, '', { modifiers: 'transform' }), flags: '' };
  }
  new RegExp(out.source, out.flags); // throws if the result is not valid JavaScript
  return out;
}
