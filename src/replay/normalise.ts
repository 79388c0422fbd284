/**
 * Normalisation: the parts of a request that change from one run of an agent to the next (session ids, dates,
 * temporary paths, cache markers) replaced by placeholders, so a live request can be compared with a recorded
 * one. The rules are data — `normalise/*.json` here, one file per agent, plus the user's `--normalise FILE`s
 * (JSON or YAML, same format; docs/replay.md) — applied in order to both sides:
 *
 *   { "drop": "<key>" }                      that key removed from every object, at any depth
 *   { "path": "a.b", "set": <value> }        the value at a dotted path replaced (when present)
 *   { "pattern": "<regex>", "with": "<s>" }  every match in every string replaced; `{{cwd}}` stands for the
 *                                            side's own working directory, `{{cwd_dashed}}` for it with
 *                                            every other character than [A-Za-z0-9] a dash (Claude Code's
 *                                            project folder name); a rule naming one is skipped when the
 *                                            side's directory is unknown
 *
 * A file's optional `when: { header, pattern }` limits it to requests whose header matches.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AgentTapError } from '../errors.js';
import { isRecord } from '../exchange/json.js';
import claudeCode from './normalise/claude-code.json' with { type: 'json' };
import generic from './normalise/generic.json' with { type: 'json' };

const Rule = z.union([
  z.object({ name: z.string(), drop: z.string().min(1) }).strict(),
  z.object({ name: z.string(), path: z.string().min(1), set: z.unknown() }).strict(),
  z.object({ name: z.string(), pattern: z.string().min(1), flags: z.string().optional(), with: z.string() }).strict(),
]);

export const NormaliseFile = z
  .object({
    $comment: z.string().optional(),
    name: z.string(),
    when: z.object({ header: z.string(), pattern: z.string() }).strict().optional(),
    rules: z.array(Rule),
  })
  .strict();
export type NormaliseFile = z.infer<typeof NormaliseFile>;

/** The files shipped with agenttap, in the order they apply. */
export const SHIPPED: readonly NormaliseFile[] = [NormaliseFile.parse(generic), NormaliseFile.parse(claudeCode)];

export function loadNormaliseFile(file: string): NormaliseFile {
  let data: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    data = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new AgentTapError('AGENTTAP_USAGE', `replay: cannot read --normalise ${file}: ${(err as Error).message}`);
  }
  const parsed = NormaliseFile.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AgentTapError(
      'AGENTTAP_USAGE',
      `replay: --normalise ${file}: ${issue?.path.join('.') || '(top)'}: ${issue?.message}. Fix: see docs/replay.md#normalisation-files`,
    );
  }
  for (const rule of parsed.data.rules)
    if ('pattern' in rule) new RegExp(rule.pattern.replace(/\{\{cwd(?:_dashed)?\}\}/g, ''));
  return parsed.data;
}

/** One side of a comparison: its headers (for `when`) and its working directory (for `{{cwd}}`). */
export interface Side {
  headers?: Record<string, string>;
  cwd?: string;
}

export interface Normalised {
  value: unknown;
  /** Names of the rules that changed something. */
  applied: string[];
}

/** A path as Claude Code names its project folder after it (`/tmp/a_b` → `-tmp-a-b`). */
export const dashed = (path: string) => path.replace(/[^a-zA-Z0-9]/g, '-');

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class Normaliser {
  constructor(private readonly files: readonly NormaliseFile[]) {}

  apply(body: unknown, side: Side): Normalised {
    let value = structuredClone(body);
    const applied: string[] = [];
    for (const file of this.files) {
      if (file.when && !headerMatches(side.headers, file.when)) continue;
      for (const rule of file.rules) {
        const before = JSON.stringify(value);
        value = applyRule(value, rule, side);
        if (JSON.stringify(value) !== before) applied.push(rule.name);
      }
    }
    return { value, applied };
  }
}

function headerMatches(
  headers: Record<string, string> | undefined,
  when: { header: string; pattern: string },
): boolean {
  const wanted = when.header.toLowerCase();
  const entry = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === wanted);
  return entry !== undefined && new RegExp(when.pattern).test(entry[1]);
}

type RuleT = z.infer<typeof Rule>;

function applyRule(value: unknown, rule: RuleT, side: Side): unknown {
  if ('drop' in rule) return mapDeep(value, (v) => v, rule.drop);
  if ('path' in rule) return setPath(value, rule.path.split('.'), rule.set);
  const cwd = side.cwd;
  if (/\{\{cwd(?:_dashed)?\}\}/.test(rule.pattern) && !cwd) return value;
  const source = rule.pattern
    .replace(/\{\{cwd\}\}/g, escapeRegex(cwd ?? ''))
    .replace(/\{\{cwd_dashed\}\}/g, escapeRegex(dashed(cwd ?? '')));
  const re = new RegExp(source, rule.flags?.includes('g') ? rule.flags : `${rule.flags ?? ''}g`);
  return mapDeep(value, (s) => s.replace(re, rule.with));
}

/** A copy with `fn` applied to every string, and `drop` keys left out of every object. */
function mapDeep(value: unknown, fn: (s: string) => string, drop?: string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapDeep(v, fn, drop));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== drop) out[k] = mapDeep(v, fn, drop);
  return out;
}

function setPath(value: unknown, keys: readonly string[], to: unknown): unknown {
  const [key, ...rest] = keys;
  if (key === undefined || !isRecord(value) || !(key in value)) return value;
  return { ...value, [key]: rest.length === 0 ? to : setPath(value[key], rest, to) };
}
