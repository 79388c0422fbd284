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
  if (m.matches !== undefined && !re(m.matches, m.flags).test(text)) return false;
  return true;
}

const inRange = (n: number | undefined, r: number | Range): boolean =>
  n !== undefined &&
  (typeof r === 'number' ? n === r : (r.min === undefined || n >= r.min) && (r.max === undefined || n <= r.max));

const show = (v: unknown) => JSON.stringify(v);

/** Records `what` as a failed test unless `ok`. */
type Check = (ok: boolean, what: string) => void;

/** Tests on the HTTP request itself. */
function checkRequest(cond: Condition, f: ExchangeFacts, check: Check): void {
  if (cond.method !== undefined)
    check(f.method.toUpperCase() === cond.method.toUpperCase(), `method ${cond.method} (is ${f.method})`);
  if (cond.endpoint !== undefined) {
    const list = Array.isArray(cond.endpoint) ? cond.endpoint : [cond.endpoint];
    check(list.includes(f.endpoint), `endpoint ${list.join('|')} (is ${f.endpoint})`);
  }
  if (cond.path !== undefined) check(textMatches(f.path, cond.path), `path ${show(cond.path)}`);
  if (cond.header !== undefined) {
    const value = f.headers[cond.header.name.toLowerCase()];
    check(
      value !== undefined && (cond.header.value === undefined || textMatches(value, cond.header.value)),
      `header ${cond.header.name}${cond.header.value ? ` ${show(cond.header.value)}` : ''}`,
    );
  }
  if (cond.hasBody !== undefined) check(f.hasBody === cond.hasBody, cond.hasBody ? 'a body' : 'no body');
  if (cond.model !== undefined)
    check(f.model !== undefined && textMatches(f.model, cond.model), `model ${show(cond.model)} (is ${f.model})`);
}

/** Tests on what the request asks the model: system prompt, tools, limits, output. */
function checkPrompt(cond: Condition, f: ExchangeFacts, check: Check): void {
  if (cond.system !== undefined)
    check(
      f.system.some((s) => textMatches(s, cond.system!)),
      `system prompt ${show(cond.system)}`,
    );
  if (cond.noSystem !== undefined)
    check((f.system.length === 0) === cond.noSystem, cond.noSystem ? 'no system prompt' : 'a system prompt');
  if (cond.tool !== undefined)
    check(
      f.tools.some((t) => textMatches(t, cond.tool!)),
      `a tool ${show(cond.tool)}`,
    );
  if (cond.toolCount !== undefined)
    check(inRange(f.tools.length, cond.toolCount), `tool count ${show(cond.toolCount)} (is ${f.tools.length})`);
  if (cond.toolChoice !== undefined) check(f.toolChoice === cond.toolChoice, `tool_choice ${cond.toolChoice}`);
  if (cond.maxTokens !== undefined)
    check(inRange(f.maxTokens, cond.maxTokens), `max_tokens ${show(cond.maxTokens)} (is ${f.maxTokens})`);
  if (cond.stream !== undefined) check(f.stream === cond.stream, cond.stream ? 'streamed' : 'not streamed');
  if (cond.thinking !== undefined) check(f.thinking === cond.thinking, cond.thinking ? 'thinking on' : 'thinking off');
  if (cond.outputFormat !== undefined) {
    const o = f.outputFormat;
    check(
      !!o &&
        (cond.outputFormat.type === undefined || o.type === cond.outputFormat.type) &&
        (cond.outputFormat.property === undefined || o.properties.includes(cond.outputFormat.property)),
      `output format ${show(cond.outputFormat)}`,
    );
  }
}

/** Tests on the messages and on the response. */
function checkConversation(cond: Condition, f: ExchangeFacts, check: Check): void {
  if (cond.messageCount !== undefined)
    check(
      inRange(f.messageCount, cond.messageCount),
      `message count ${show(cond.messageCount)} (is ${f.messageCount})`,
    );
  if (cond.firstUserText !== undefined)
    check(textMatches(f.firstUserText, cond.firstUserText), `first user text ${show(cond.firstUserText)}`);
  if (cond.lastUserText !== undefined)
    check(textMatches(f.lastUserText, cond.lastUserText), `last user text ${show(cond.lastUserText)}`);
  if (cond.toolResults !== undefined)
    check(
      f.toolResults === cond.toolResults,
      cond.toolResults ? 'last message is tool results' : 'last message is not tool results',
    );
  if (cond.responseTool !== undefined)
    check(
      f.responseTools.some((t) => textMatches(t, cond.responseTool!)),
      `response calls ${show(cond.responseTool)}`,
    );
}

/** Tests on where the exchange stands among the others. */
function checkThread(cond: Condition, f: ExchangeFacts, check: Check): void {
  if (cond.threadPosition !== undefined)
    check(f.threadPosition === cond.threadPosition, `thread position ${cond.threadPosition} (is ${f.threadPosition})`);
  if (cond.spawned !== undefined) {
    const ok =
      typeof cond.spawned === 'string' ? f.spawnedBy === cond.spawned : (f.spawnedBy !== undefined) === cond.spawned;
    check(
      ok,
      cond.spawned === false
        ? 'not started by a tool_use'
        : `started by a ${cond.spawned === true ? '' : `${cond.spawned} `}tool_use`,
    );
  }
  if (cond.primaryThread !== undefined)
    check(
      f.primaryThread === cond.primaryThread,
      cond.primaryThread ? 'in the primary thread' : 'outside the primary thread',
    );
  if (cond.afterBrokenStream !== undefined)
    check(
      f.afterBrokenStream === cond.afterBrokenStream,
      cond.afterBrokenStream ? 'a resend after a broken stream' : 'not a resend after a broken stream',
    );
}

/** The failed leaf tests of `cond` (empty when it holds). */
export function evaluate(cond: Condition, f: ExchangeFacts): string[] {
  const failed: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) failed.push(what);
  };
  if (cond.all) for (const c of cond.all) failed.push(...evaluate(c, f));
  if (cond.any && !cond.any.some((c) => evaluate(c, f).length === 0)) {
    failed.push(`none of: ${cond.any.map((c) => evaluate(c, f).join(' & ')).join(' | ')}`);
  }
  if (cond.not && evaluate(cond.not, f).length === 0) failed.push(`not ${show(cond.not)}`);
  checkRequest(cond, f, check);
  checkPrompt(cond, f, check);
  checkConversation(cond, f, check);
  checkThread(cond, f, check);
  return failed;
}

/** Version from the sets' `version` sources; the system prompt's billing block counts as header "system". */
function versionOf(set: SignatureSet, f: ExchangeFacts): string | undefined {
  for (const v of set.version ?? []) {
    const sources = v.header === 'system' ? f.system : [f.headers[v.header.toLowerCase()]];
    for (const s of sources) {
      const m = s === undefined ? null : re(v.pattern).exec(s);
      if (m?.[1]) return m[1];
    }
  }
  return undefined;
}

export class Classifier {
  /** `sets`: user sets first (they win), then the shipped ones. */
  constructor(private readonly sets: readonly SignatureSet[]) {}

  /**
   * `processAgent`: the agent (and version) recognised in the other exchanges of the same process — used only
   * when this exchange carries no label of its own (Claude Code's `HEAD /` warm-up has no headers at all).
   */
  /** The agent (and version) an exchange's own labels name, without classifying it (the report lends it to the process). */
  detect(f: ExchangeFacts): { agent: string; version?: string } | undefined {
    const detected = this.sets.filter((s) => evaluate(s.detect, f).length === 0);
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

  classify(f: ExchangeFacts, processAgent?: { agent: string; version?: string }): Classification {
    let detected = this.sets.filter((s) => evaluate(s.detect, f).length === 0);
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
    const misses: string[] = [];
    for (const set of candidates) {
      for (const sig of set.signatures) {
        const failed = evaluate(sig.when, f);
        if (failed.length === 0) {
          return {
            agent,
            agentVersion: version,
            mechanism: sig.mechanism,
            signature: sig.id,
            reasons: [...reasons, sig.evidence ?? `matched ${sig.id}`],
            features: features(set, f),
          };
        }
        misses.push(`${sig.id}: lacks ${failed.join('; ')}`);
      }
    }
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
  return (set.features ?? []).filter((x) => evaluate(x.when, f).length === 0).map((x) => x.id);
}
