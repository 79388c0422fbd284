/**
 * Which exchanges no signature can tell apart: a report classifies one of each such class and copies the result to
 * the others (reports/model/classify.ts). Beside the classifier, which owns how a condition reads the facts.
 */
import { inRange, textMatches } from './classify.js';
import type { Condition, ExchangeFacts, Range, SignatureSet, TextMatch } from './types.js';

type Numeric = 'messageCount' | 'toolCount' | 'maxTokens';
type Text = 'firstUserText' | 'lastUserText' | 'responseTool';

/**
 * A key equal for two facts exactly when no condition of `sets` can tell them apart: every field a condition reads,
 * the number fields as which of the sets' ranges hold them (conditions test numbers only by range), the user texts and
 * response tools as which of the sets' text tests they pass, the system prompt and tool lists by identity (interned:
 * one list per distinct prompt or tool set).
 */
export function factsClass(sets: readonly SignatureSet[]): (f: ExchangeFacts) => string {
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
