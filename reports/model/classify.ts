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
import type { Classifier } from '../../src/mechanisms/classify.js';
import { factsClass } from '../../src/mechanisms/facts-class.js';
import type { Classification } from '../../src/mechanisms/types.js';
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
