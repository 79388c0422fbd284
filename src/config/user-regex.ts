/**
 * User regexes (`redact.patterns`, a rule's `match.model.regex`) are compiled and linted while their file is
 * validated, before the agent starts: a pattern that does not compile, takes flags it cannot use, or can backtrack
 * super-linearly is an error naming its field and the fix — never a SyntaxError thrown into the agent later, nor
 * an event loop stalled on one long input (`(a+)+$` took 20 s+ on a tool result).
 *
 * The lint is scslre's static analysis (the engine behind eslint-plugin-regexp's ReDoS rules): a few ms per
 * pattern, and no false positive on the secret patterns we tried. It misses ambiguity between alternatives inside
 * a repeat (`(a|aa)+$`); the checkers that find it were too slow or too big for a start-up path (redos-detector:
 * 0.3–1 s and false positives on common secret patterns; recheck: 58 MB, 0.6 s to load, 2 s timeouts). It is
 * required on first use, so a config without user regexes never loads it (~120 ms of CPU on Node 20).
 */
import { createRequire } from 'node:module';
import type { analyse as Analyse, Report } from 'scslre';

/**
 * How the regex runs, which decides what it may contain:
 * - `scan`: global, over captured text of any size (redaction). Any super-linear report is refused, including
 *   scslre's "Move" (an unbounded repeat at the start is retried from every position: quadratic on a long body).
 * - `test`: `.test()` on one short value (a model name). Only exponential backtracking is refused.
 */
export type RegexUse = 'scan' | 'test';

export interface RegexProblem {
  /** Which of the two fields is wrong. */
  field: 'pattern' | 'flags';
  /** What is wrong and the fix, as one sentence or two. */
  message: string;
}

const FLAGS: Record<RegexUse, { allowed: string; refused: Record<string, string> }> = {
  scan: {
    // `g` is implied (the redactor loops over every match), `d` is harmless.
    allowed: 'dgimsuv',
    refused: {
      y: '"y" (sticky) would only match where the previous match ended, so most secrets would be missed. Fix: remove "y"',
    },
  },
  test: {
    allowed: 'imsuv',
    refused: {
      g: '"g" keeps lastIndex between tests, so the same model would match only every other request. Fix: remove "g"',
      y: '"y" keeps lastIndex between tests, so the same model would match only every other request. Fix: remove "y"',
      d: '"d" has no use in a match. Fix: remove "d"',
    },
  },
};

let analyse: typeof Analyse | undefined;

export function checkUserRegex(source: string, flags: string, use: RegexUse): RegexProblem | undefined {
  const policy = FLAGS[use];
  for (const flag of flags) {
    const refused = policy.refused[flag];
    if (refused) return { field: 'flags', message: refused };
    if (!policy.allowed.includes(flag)) {
      return {
        field: 'flags',
        message: `unknown flag "${flag}". Fix: use only ${[...policy.allowed].map((f) => `"${f}"`).join(', ')}`,
      };
    }
  }
  if (new Set(flags).size < flags.length || (flags.includes('u') && flags.includes('v'))) {
    return {
      field: 'flags',
      message: `"${flags}" repeats a flag or combines "u" with "v". Fix: give each flag once, and "u" or "v", not both`,
    };
  }
  try {
    new RegExp(source, flags);
  } catch (err) {
    const why = (err as Error).message.replace(/^Invalid regular expression:\s*/, '');
    return {
      field: 'pattern',
      message: `not a valid JavaScript regular expression (${why}). Fix: correct the pattern; in JSON and YAML double-quoted strings, write each backslash twice ("\\\\d")`,
    };
  }
  analyse ??= (createRequire(import.meta.url)('scslre') as { analyse: typeof Analyse }).analyse;
  let reports: Report[];
  try {
    reports = analyse({ source, flags: use === 'scan' ? withGlobal(flags) : flags }).reports;
  } catch (err) {
    return {
      field: 'pattern',
      message: `cannot be checked for catastrophic backtracking (${(err as Error).message}). Fix: simplify the pattern`,
    };
  }
  const report = reports.find((r) => (use === 'scan' ? true : r.exponential));
  return report && { field: 'pattern', message: describe(report) };
}

function withGlobal(flags: string): string {
  return flags.includes('g') ? flags.replace('y', '') : `${flags.replace('y', '')}g`;
}

/** One sentence on why the pattern is slow, in the pattern's own terms, and the fix scslre proposes when it has one. */
function describe(report: Report): string {
  const run = `a long run of ${JSON.stringify(report.character.pick)}`;
  const fixed = safeFix(report);
  const fix = fixed !== undefined ? `Fix: e.g. ${JSON.stringify(fixed)}, which matches the same text` : undefined;
  switch (report.type) {
    case 'Self':
      return `can backtrack ${report.exponential ? 'exponentially' : 'polynomially'}: "${report.quant.raw}" repeats inside "${report.parentQuant.raw}", so ${run} can be split in very many ways and one such input stalls the agent. ${fix ?? 'Fix: do not nest a repeat directly inside another (e.g. "(a+)+" → "a+")'}`;
    case 'Trade':
      return `can backtrack ${report.exponential ? 'exponentially' : 'polynomially'}: "${report.startQuant.raw}" and "${report.endQuant.raw}" can both take ${run}, and every way of sharing it is tried before the match fails. ${fix ?? 'Fix: make the neighbouring repeats unable to match the same characters (e.g. "\\\\s*\\\\S+", not "\\\\s*.+")'}`;
    case 'Move':
      return `starts with the unbounded repeat "${report.quant.raw}": on ${run} the search retries from every position, which is quadratic on a large request. ${fix ?? 'Fix: start the pattern with a fixed prefix (e.g. "itk_[a-z0-9]+"), or bound the repeat (e.g. "{1,64}")'}`;
  }
}

function safeFix(report: Report): string | undefined {
  try {
    return report.fix()?.source;
  } catch {
    return undefined;
  }
}
