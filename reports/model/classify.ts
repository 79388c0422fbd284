/**
 * Classification, once per exchange. The signatures need the whole process's threads (the primary thread
 * is a fact of the process, not of one request), and an exchange without labels of its own (Claude Code's
 * `HEAD /` warm-up) borrows its process's agent: both are known before any exchange is classified.
 * The drafts' facts are read, never written: the primary-thread fact goes into a copy.
 */
import type { Classifier } from '../../src/mechanisms/classify.js';
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
  const own = facts.map((f) => classifier.detect(f));
  const processAgents = new Map<number, { agent: string; version?: string }>();
  own.forEach((a, i) => {
    if (a && !processAgents.has(drafts[i]!.pid)) processAgents.set(drafts[i]!.pid, a);
  });
  return facts.map((f, i) => classifier.classify(f, own[i] ? undefined : processAgents.get(drafts[i]!.pid)));
}
