/**
 * Layered classification: pick the signature sets whose `detect` holds (explicit labels: user-agent,
 * billing header), narrow them by the agent version, then the first signature of the set whose conditions
 * hold names the mechanism. Nothing matching is `unclassified`, with what each candidate lacked — a label
 * is only ever given on evidence.
 */
import type { Classification, Condition, ExchangeFacts, Range, SignatureSet, TextMatch } from './types.js';

const regexCache = new Map<string, RegExp>();
function re(source: string, flags = ''): RegExp {
  const key = `${flags}/${source}`;
  let r = regexCache.get(key);
  if (!r) {
    r = new RegExp(source, flags);
    regexCache.set(key, r);
  }
  return r;
}

export function textMatches(text: string, m: TextMatch): boolean {
  if (typeof m === 'string') return text.includes(m);
  if (m.equals !== undefined && text !== m.equals) return false;
  if (m.startsWith !== undefined && !text.startsWith(m.startsWith)) return false;
  if (m.contains !== undefined && !text.includes(m.contains)) return false;
  if (m.matches !== undefined && !regexOf(m).test(text)) return false;
  return true;
}

/** A text match's compiled `matches`, by the object (the signatures' own): no cache key to build per test. */
const compiledRegex = new WeakMap<object, RegExp>();
function regexOf(m: { matches?: string; flags?: string }): RegExp {
  let r = compiledRegex.get(m);
  if (!r) {
    r = re(m.matches!, m.flags);
    compiledRegex.set(m, r);
  }
  return r;
}

/**
 * Whether some text of `list` matches, remembered per list: a report's facts share one interned system prompt (tens
 * of KB) and tool list across the exchanges that send it, and the signatures test them many times each. Facts are
 * not changed once classified.
 */
const listMatches = new WeakMap<readonly string[], Map<TextMatch, boolean>>();
function someMatches(list: readonly string[], m: TextMatch): boolean {
  let memo = listMatches.get(list);
  if (!memo) {
    memo = new Map();
    listMatches.set(list, memo);
  }
  let hit = memo.get(m);
  if (hit === undefined) {
    hit = list.some((t) => textMatches(t, m));
    memo.set(m, hit);
  }
  return hit;
}

/** How a condition tests a number: equal to it, or within the range's bounds (inclusive). */
export const inRange = (n: number | undefined, r: number | Range): boolean =>
  n !== undefined &&
  (typeof r === 'number' ? n === r : (r.min === undefined || n >= r.min) && (r.max === undefined || n <= r.max));

const show = (v: unknown) => JSON.stringify(v);

/** One leaf test: which field of a condition it reads, whether it holds, and how a failure is told. */
interface Leaf {
  key: keyof Condition;
  ok(c: Condition, f: ExchangeFacts): boolean;
  what(c: Condition, f: ExchangeFacts): string;
}

const endpoints = (c: Condition) => (Array.isArray(c.endpoint) ? c.endpoint : [c.endpoint!]);
const either = (yes: string, no: string) => (flag: boolean | undefined) => (flag ? yes : no);
const streamed = either('streamed', 'not streamed');
const thinking = either('thinking on', 'thinking off');
const lastTools = either('last message is tool results', 'last message is not tool results');
const primary = either('in the primary thread', 'outside the primary thread');
const resend = either('a resend after a broken stream', 'not a resend after a broken stream');

/**
 * The leaf tests in the order a failure lists them (a leaf that reads a number or a text in a new way changes
 * what tells two exchanges apart: facts-class.ts too): the HTTP request; what it asks the model (system prompt,
 * tools, limits, output); the messages and the response; where the exchange stands among the others.
 */
const LEAVES: readonly Leaf[] = [
  {
    key: 'method',
    ok: (c, f) => f.method.toUpperCase() === c.method!.toUpperCase(),
    what: (c, f) => `method ${c.method} (is ${f.method})`,
  },
  {
    key: 'endpoint',
    ok: (c, f) => endpoints(c).includes(f.endpoint),
    what: (c, f) => `endpoint ${endpoints(c).join('|')} (is ${f.endpoint})`,
  },
  { key: 'path', ok: (c, f) => textMatches(f.path, c.path!), what: (c) => `path ${show(c.path)}` },
  {
    key: 'header',
    ok: (c, f) => {
      const value = f.headers[c.header!.name.toLowerCase()];
      return value !== undefined && (c.header!.value === undefined || textMatches(value, c.header!.value));
    },
    what: (c) => `header ${c.header!.name}${c.header!.value ? ` ${show(c.header!.value)}` : ''}`,
  },
  { key: 'hasBody', ok: (c, f) => f.hasBody === c.hasBody, what: (c) => (c.hasBody ? 'a body' : 'no body') },
  {
    key: 'model',
    ok: (c, f) => f.model !== undefined && textMatches(f.model, c.model!),
    what: (c, f) => `model ${show(c.model)} (is ${f.model})`,
  },
  {
    key: 'system',
    ok: (c, f) => someMatches(f.system, c.system!),
    what: (c) => `system prompt ${show(c.system)}`,
  },
  {
    key: 'noSystem',
    ok: (c, f) => (f.system.length === 0) === c.noSystem,
    what: (c) => (c.noSystem ? 'no system prompt' : 'a system prompt'),
  },
  { key: 'tool', ok: (c, f) => someMatches(f.tools, c.tool!), what: (c) => `a tool ${show(c.tool)}` },
  {
    key: 'toolCount',
    ok: (c, f) => inRange(f.tools.length, c.toolCount!),
    what: (c, f) => `tool count ${show(c.toolCount)} (is ${f.tools.length})`,
  },
  { key: 'toolChoice', ok: (c, f) => f.toolChoice === c.toolChoice, what: (c) => `tool_choice ${c.toolChoice}` },
  {
    key: 'maxTokens',
    ok: (c, f) => inRange(f.maxTokens, c.maxTokens!),
    what: (c, f) => `max_tokens ${show(c.maxTokens)} (is ${f.maxTokens})`,
  },
  { key: 'stream', ok: (c, f) => f.stream === c.stream, what: (c) => streamed(c.stream) },
  { key: 'thinking', ok: (c, f) => f.thinking === c.thinking, what: (c) => thinking(c.thinking) },
  {
    key: 'outputFormat',
    ok: (c, f) => {
      const o = f.outputFormat;
      const want = c.outputFormat!;
      return (
        !!o &&
        (want.type === undefined || o.type === want.type) &&
        (want.property === undefined || o.properties.includes(want.property))
      );
    },
    what: (c) => `output format ${show(c.outputFormat)}`,
  },
  {
    key: 'messageCount',
    ok: (c, f) => inRange(f.messageCount, c.messageCount!),
    what: (c, f) => `message count ${show(c.messageCount)} (is ${f.messageCount})`,
  },
  {
    key: 'firstUserText',
    ok: (c, f) => textMatches(f.firstUserText, c.firstUserText!),
    what: (c) => `first user text ${show(c.firstUserText)}`,
  },
  {
    key: 'lastUserText',
    ok: (c, f) => textMatches(f.lastUserText, c.lastUserText!),
    what: (c) => `last user text ${show(c.lastUserText)}`,
  },
  { key: 'toolResults', ok: (c, f) => f.toolResults === c.toolResults, what: (c) => lastTools(c.toolResults) },
  {
    key: 'responseTool',
    ok: (c, f) => f.responseTools.some((t) => textMatches(t, c.responseTool!)),
    what: (c) => `response calls ${show(c.responseTool)}`,
  },
  {
    key: 'threadPosition',
    ok: (c, f) => f.threadPosition === c.threadPosition,
    what: (c, f) => `thread position ${c.threadPosition} (is ${f.threadPosition})`,
  },
  {
    key: 'spawned',
    ok: (c, f) =>
      typeof c.spawned === 'string' ? f.spawnedBy === c.spawned : (f.spawnedBy !== undefined) === c.spawned,
    what: (c) =>
      c.spawned === false
        ? 'not started by a tool_use'
        : `started by a ${c.spawned === true ? '' : `${c.spawned} `}tool_use`,
  },
  { key: 'primaryThread', ok: (c, f) => f.primaryThread === c.primaryThread, what: (c) => primary(c.primaryThread) },
  {
    key: 'afterBrokenStream',
    ok: (c, f) => f.afterBrokenStream === c.afterBrokenStream,
    what: (c) => resend(c.afterBrokenStream),
  },
];

/** The failed leaf tests of `cond` (empty when it holds). */
export function evaluate(cond: Condition, f: ExchangeFacts): string[] {
  const failed: string[] = [];
  if (cond.all) for (const c of cond.all) failed.push(...evaluate(c, f));
  if (cond.any && !cond.any.some((c) => holds(c, f))) {
    failed.push(`none of: ${cond.any.map((c) => evaluate(c, f).join(' & ')).join(' | ')}`);
  }
  if (cond.not && holds(cond.not, f)) failed.push(`not ${show(cond.not)}`);
  for (const leaf of LEAVES) if (cond[leaf.key] !== undefined && !leaf.ok(cond, f)) failed.push(leaf.what(cond, f));
  return failed;
}

/**
 * Whether `cond` holds: `evaluate(cond, f).length === 0`, without telling why not. A report classifies every
 * exchange against every signature: each condition is compiled once to the tests of the fields it has.
 */
export function holds(cond: Condition, f: ExchangeFacts): boolean {
  let test = compiled.get(cond);
  if (!test) {
    test = compile(cond);
    compiled.set(cond, test);
  }
  return test(f);
}

const compiled = new WeakMap<Condition, (f: ExchangeFacts) => boolean>();

function compile(cond: Condition): (f: ExchangeFacts) => boolean {
  const { all, any, not } = cond;
  const leaves = LEAVES.filter((leaf) => cond[leaf.key] !== undefined);
  return (f) =>
    (!all || all.every((c) => holds(c, f))) &&
    (!any || any.some((c) => holds(c, f))) &&
    (!not || !holds(not, f)) &&
    leaves.every((leaf) => leaf.ok(cond, f));
}

/** Version from the sets' `version` sources; the system prompt's billing block counts as header "system". */
function versionOf(set: SignatureSet, f: ExchangeFacts): string | undefined {
  for (const v of set.version ?? []) {
    const found =
      v.header === 'system'
        ? systemVersion(f.system, v.pattern)
        : headerVersion(f.headers[v.header.toLowerCase()], v.pattern);
    if (found) return found;
  }
  return undefined;
}

const versionIn = (s: string | undefined, pattern: string) => (s === undefined ? undefined : re(pattern).exec(s)?.[1]);

/**
 * A version in a header, remembered per (pattern, value): a report's exchanges send the same few user-agents, and
 * each is tested by every set's patterns twice (detect, classify).
 */
const headerVersions = new Map<string, Map<string, string | undefined>>();
function headerVersion(s: string | undefined, pattern: string): string | undefined {
  if (s === undefined) return undefined;
  let memo = headerVersions.get(pattern);
  if (!memo) {
    memo = new Map();
    headerVersions.set(pattern, memo);
  }
  if (memo.has(s)) return memo.get(s);
  const v = versionIn(s, pattern);
  // Bounded: a log of distinct values (a counter in the header) must not grow this without end.
  if (memo.size >= 256) memo.clear();
  memo.set(s, v);
  return v;
}

/** A version in the system prompt, remembered per (interned) prompt as someMatches does: the regex reads tens of KB. */
const systemVersions = new WeakMap<readonly string[], Map<string, string | undefined>>();
function systemVersion(system: readonly string[], pattern: string): string | undefined {
  let memo = systemVersions.get(system);
  if (!memo) {
    memo = new Map();
    systemVersions.set(system, memo);
  }
  if (!memo.has(pattern)) memo.set(pattern, system.map((s) => versionIn(s, pattern)).find(Boolean));
  return memo.get(pattern);
}

export class Classifier {
  /** `sets`: user sets first (they win), then the shipped ones. */
  constructor(readonly sets: readonly SignatureSet[]) {}

  /**
   * `processAgent`: the agent (and version) recognised in the other exchanges of the same process — used only
   * when this exchange carries no label of its own (Claude Code's `HEAD /` warm-up has no headers at all).
   */
  /** The agent (and version) an exchange's own labels name, without classifying it (the report lends it to the process). */
  detect(f: ExchangeFacts): { agent: string; version?: string } | undefined {
    const detected = this.detected(f);
    if (detected.length === 0) return undefined;
    const agent = detected[0]!.agent;
    return {
      agent,
      version: detected
        .filter((s) => s.agent === agent)
        .map((s) => versionOf(s, f))
        .find((v) => v !== undefined),
    };
  }

  /**
   * The sets whose `detect` holds, remembered for the facts object: a report detects every exchange, then classifies
   * it (facts are not changed in between).
   */
  private readonly detectedFor = new WeakMap<ExchangeFacts, readonly SignatureSet[]>();
  private detected(f: ExchangeFacts): readonly SignatureSet[] {
    let d = this.detectedFor.get(f);
    if (!d) {
      d = this.sets.filter((s) => holds(s.detect, f));
      this.detectedFor.set(f, d);
    }
    return d;
  }

  classify(f: ExchangeFacts, processAgent?: { agent: string; version?: string }): Classification {
    let detected = this.detected(f);
    const reasons: string[] = [];
    if (detected.length === 0 && processAgent) {
      detected = this.sets.filter((s) => s.agent === processAgent.agent);
      if (detected.length > 0)
        reasons.push(`no label of its own; ${processAgent.agent} from the other calls of its process`);
    }
    if (detected.length === 0)
      return {
        agent: 'unknown',
        mechanism: 'unclassified',
        reasons: ['no signature set recognises this exchange'],
        features: [],
      };
    const agent = detected[0]!.agent;
    const sameAgent = detected.filter((s) => s.agent === agent);
    const version =
      sameAgent.map((s) => versionOf(s, f)).find((v) => v !== undefined) ??
      (processAgent?.agent === agent ? processAgent.version : undefined);
    let candidates = sameAgent.filter(
      (s) => !s.versions || (version !== undefined && s.versions.some((p) => version.startsWith(p))),
    );
    if (candidates.length === 0) {
      // Unknown or newer version: try every set of this agent, newest first, and say so.
      candidates = [...sameAgent].reverse();
      reasons.push(
        version
          ? `no signatures for ${agent} ${version}; tried ${candidates.map((s) => s.label).join(', ')}`
          : `${agent} version not found in the request; tried ${candidates.map((s) => s.label).join(', ')}`,
      );
    }
    for (const set of candidates) {
      for (const sig of set.signatures) {
        if (holds(sig.when, f)) {
          return {
            agent,
            agentVersion: version,
            mechanism: sig.mechanism,
            signature: sig.id,
            reasons: [...reasons, sig.evidence ?? `matched ${sig.id}`],
            features: features(set, f),
          };
        }
      }
    }
    // None holds: what each lacked.
    const misses = candidates.flatMap((set) =>
      set.signatures.map((sig) => `${sig.id}: lacks ${evaluate(sig.when, f).join('; ')}`),
    );
    return {
      agent,
      agentVersion: version,
      mechanism: 'unclassified',
      reasons: [...reasons, ...misses],
      features: features(candidates[0]!, f),
    };
  }

  /** The reminder kinds of a set, for the prompt anatomy. */
  reminderKind(agent: string, text: string): string {
    for (const set of this.sets) {
      if (set.agent !== agent) continue;
      for (const r of set.reminders ?? []) if (re(r.matches, 'i').test(text)) return r.kind;
    }
    return 'other';
  }
}

function features(set: SignatureSet, f: ExchangeFacts): string[] {
  return (set.features ?? []).filter((x) => holds(x.when, f)).map((x) => x.id);
}
