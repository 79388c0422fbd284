/**
 * Classification, once per exchange. The signatures need the whole process's threads (the primary thread
 * is a fact of the process, not of one request), and an exchange without labels of its own (Claude Code's
 * `HEAD /` warm-up) borrows its process's agent: both are known before any exchange is classified.
 * The drafts' facts are read, never written: the primary-thread fact goes into a copy.
 *
 * Most exchanges of a session have the facts of an earlier one as far as any signature can tell (a tool round
 * trip is the last one with one more message): each is classified once per such class (`factsClass`), and the
 * others get a copy. Running every signature's conditions for each of a thousand exchanges was a fifth of a
 * report's CPU, mostly spent before V8 had optimised the tests.
 */
import { type Classifier, textMatches } from '../../src/mechanisms/classify.js';
import type {
  Classification,
  Condition,
  ExchangeFacts,
  Range,
  SignatureSet,
  TextMatch,
} from '../../src/mechanisms/types.js';
import type { Draft } from '../read/read.js';

export function classifyAll(
  drafts: readonly Draft[],
  classifier: Classifier,
  primary: ReadonlyMap<number, string>,
): Classification[] {
  const facts = drafts.map((d) => ({
    ...d.facts,
    primaryThread: d.thread !== undefined && primary.get(d.pid) === d.thread,
  }));
  const classes = facts.map(factsClass(classifier.sets));
  const detected = new Map<string, { agent: string; version?: string } | undefined>();
  const own = facts.map((f, i) => {
    const key = classes[i]!;
    if (!detected.has(key)) detected.set(key, classifier.detect(f));
    return detected.get(key);
  });
  const processAgents = new Map<number, { agent: string; version?: string }>();
  own.forEach((a, i) => {
    if (a && !processAgents.has(drafts[i]!.pid)) processAgents.set(drafts[i]!.pid, a);
  });
  const classified = new Map<string, Classification>();
  return facts.map((f, i) => {
    const lent = own[i] ? undefined : processAgents.get(drafts[i]!.pid);
    const key = `${classes[i]}\u0001${lent ? `${lent.agent}\u0002${lent.version ?? ''}` : ''}`;
    const known = classified.get(key);
    if (known) return { ...known, reasons: [...known.reasons], features: [...known.features] };
    const c = classifier.classify(f, lent);
    // Unclassified reasons quote the facts' own values (message count, model, …): such exchanges keep their own.
    if (c.mechanism !== 'unclassified') classified.set(key, c);
    return c;
  });
}

type Numeric = 'messageCount' | 'toolCount' | 'maxTokens';
type Text = 'firstUserText' | 'lastUserText' | 'responseTool';

/**
 * A key equal for two facts exactly when no condition of `sets` can tell them apart: every field a condition reads,
 * the number fields as which of the sets' ranges hold them (conditions test numbers only by range), the user texts and
 * response tools as which of the sets' text tests they pass, the system prompt and tool lists by identity (interned:
 * one list per distinct prompt or tool set).
 */
function factsClass(sets: readonly SignatureSet[]): (f: ExchangeFacts) => string {
  const ranges: Record<Numeric, (number | Range)[]> = { messageCount: [], toolCount: [], maxTokens: [] };
  const texts: Record<Text, TextMatch[]> = { firstUserText: [], lastUserText: [], responseTool: [] };
  const visit = (c: Condition | undefined): void => {
    if (!c) return;
    for (const k of Object.keys(ranges) as Numeric[]) if (c[k] !== undefined) ranges[k].push(c[k]);
    for (const k of Object.keys(texts) as Text[]) if (c[k] !== undefined) texts[k].push(c[k]);
    c.all?.forEach(visit);
    c.any?.forEach(visit);
    visit(c.not);
  };
  for (const s of sets) {
    visit(s.detect);
    for (const sig of s.signatures) visit(sig.when);
    for (const x of s.features ?? []) visit(x.when);
  }
  const held = (n: number | undefined, list: (number | Range)[]) => list.map((r) => (inRange(n, r) ? 1 : 0)).join('');
  const matched = (some: (m: TextMatch) => boolean, list: TextMatch[]) => list.map((m) => (some(m) ? 1 : 0)).join('');
  const ids = new WeakMap<readonly string[], number>();
  let lists = 0;
  const listId = (list: readonly string[]) => {
    let id = ids.get(list);
    if (id === undefined) {
      id = ++lists;
      ids.set(list, id);
    }
    return id;
  };
  // Every field, by name (a field added to the facts is in the key without a change here), but these.
  const as: Partial<Record<keyof ExchangeFacts, (f: ExchangeFacts) => unknown>> = {
    messageCount: (f) => held(f.messageCount, ranges.messageCount),
    maxTokens: (f) => held(f.maxTokens, ranges.maxTokens),
    system: (f) => listId(f.system),
    tools: (f) => `${listId(f.tools)}:${held(f.tools.length, ranges.toolCount)}`,
    // Texts as which of the sets' text tests they pass (conditions read them only so): a turn's new prompt is
    // another text, most often not another class.
    firstUserText: (f) => matched((m) => textMatches(f.firstUserText, m), texts.firstUserText),
    lastUserText: (f) => matched((m) => textMatches(f.lastUserText, m), texts.lastUserText),
    responseTools: (f) => matched((m) => f.responseTools.some((t) => textMatches(t, m)), texts.responseTool),
  };
  return (f) => {
    const parts: unknown[] = [];
    for (const k of Object.keys(f) as (keyof ExchangeFacts)[]) parts.push(k, as[k] ? as[k](f) : f[k]);
    return JSON.stringify(parts);
  };
}

/** As the classifier tests a number against a range (src/mechanisms/classify.ts). */
const inRange = (n: number | undefined, r: number | Range): boolean =>
  n !== undefined &&
  (typeof r === 'number' ? n === r : (r.min === undefined || n >= r.min) && (r.max === undefined || n <= r.max));
