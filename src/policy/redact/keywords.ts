/**
 * Which of many keywords occur in a text, in one pass (Aho-Corasick, as a DFA over the
 * keywords' own characters). gitleaks's rules each carry keywords, and a rule runs only on text
 * holding one of them: with ~200 rules, one `includes` per keyword would read a 1 MB body
 * hundreds of times; this reads it once. ASCII letters match case-insensitively.
 */

import type { Finding, TextRule } from './finding.js';

export interface KeywordIndex {
  /** The ids of every group with a keyword in `text` (each id at most once, unordered). */
  find(text: string): number[];
}

/** `groups[id]` are the keywords of group `id`; keywords must be ASCII. */
export function createKeywordIndex(groups: readonly (readonly string[])[]): KeywordIndex {
  // Character classes: every character used by a keyword gets one, the rest share class 0.
  const classOf = new Uint8Array(128);
  let classes = 1;
  for (const words of groups) {
    for (const word of words) {
      for (const ch of word.toLowerCase()) {
        const c = ch.charCodeAt(0);
        if (c >= 128) throw new Error(`keyword index: ${JSON.stringify(word)} is not ASCII`);
        if (classOf[c] === 0) classOf[c] = classes++;
      }
    }
  }
  for (let c = 65; c <= 90; c++) classOf[c] = classOf[c + 32] as number; // A-Z read as a-z

  // Trie.
  const next: number[][] = [new Array<number>(classes).fill(-1)];
  const outputs: Set<number>[] = [new Set()];
  groups.forEach((words, id) => {
    for (const word of words) {
      let s = 0;
      for (const ch of word.toLowerCase()) {
        const k = classOf[ch.charCodeAt(0)] as number;
        let t = (next[s] as number[])[k] as number;
        if (t < 0) {
          t = next.length;
          next.push(new Array<number>(classes).fill(-1));
          outputs.push(new Set());
          (next[s] as number[])[k] = t;
        }
        s = t;
      }
      (outputs[s] as Set<number>).add(id);
    }
  });

  // Failure links, breadth first, folded into a complete transition table.
  const delta = new Int32Array(next.length * classes);
  const fail = new Int32Array(next.length);
  const queue: number[] = [];
  for (let k = 0; k < classes; k++) {
    const t = (next[0] as number[])[k] as number;
    delta[k] = Math.max(0, t);
    if (t > 0) queue.push(t);
  }
  for (let q = 0; q < queue.length; q++) {
    const s = queue[q] as number;
    for (const id of outputs[fail[s] as number] as Set<number>) (outputs[s] as Set<number>).add(id);
    for (let k = 0; k < classes; k++) {
      const t = (next[s] as number[])[k] as number;
      const viaFail = delta[(fail[s] as number) * classes + k] as number;
      if (t < 0) {
        delta[s * classes + k] = viaFail;
      } else {
        delta[s * classes + k] = t;
        fail[t] = viaFail;
        queue.push(t);
      }
    }
  }
  // Hot loop: states as offsets into `delta` (no multiply per character), a flag for "some
  // keyword ends here" (no array load), and no case folding (the classes fold A-Z already).
  for (let i = 0; i < delta.length; i++) delta[i] = (delta[i] as number) * classes;
  const ends = new Uint8Array(delta.length);
  outputs.forEach((o, state) => {
    ends[state * classes] = o.size > 0 ? 1 : 0;
  });
  // Dense, by state number (an array indexed by offsets would be sparse: dictionary elements,
  // slow in the hot loop and a different shape per index).
  const ids: readonly number[][] = outputs.map((o) => [...o]);

  return {
    find(text) {
      const seen = new Uint8Array(groups.length);
      const found: number[] = [];
      let s = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        s = delta[s + (c < 128 ? (classOf[c] as number) : 0)] as number;
        if (ends[s] === 0) continue;
        for (const id of ids[s / classes] as number[]) {
          if (seen[id] === 0) {
            seen[id] = 1;
            found.push(id);
          }
        }
      }
      return found;
    },
  };
}

/** A rule and the keywords one of which every match of it contains (none: it always runs). */
export interface GatedRule {
  keywords: readonly string[];
  rule: TextRule;
}

/**
 * Rules that run together in one call (secretlint's preset: one lint per text), each with its
 * keywords as in GatedRule; `scan` gets which of them to run.
 */
export interface GatedGroup {
  keywords: readonly (readonly string[])[];
  scan(text: string, selected: readonly boolean[], out: Finding[]): void;
}

/**
 * Many rules as one: a single keyword pass over the text picks the rules worth running, so the
 * text is read once for all their keywords instead of once per rule. Exact only if every match
 * of a rule contains one of its keywords (ASCII, any case).
 */
export function gateRules(name: string, entries: readonly GatedRule[], groups: readonly GatedGroup[] = []): TextRule {
  const lists = [...entries.map((e) => e.keywords), ...groups.flatMap((g) => g.keywords)];
  const index = createKeywordIndex(lists);
  const always = lists.flatMap((words, i) => (words.length === 0 ? [i] : []));
  const groupStart = groups.map(
    (_, g) => entries.length + groups.slice(0, g).reduce((n, x) => n + x.keywords.length, 0),
  );
  return {
    name,
    scan(text, out) {
      // The rules picked, in their order (entries, then each group's): a walk over the ~250 lists per text cost more
      // than the few rules a short text picks (a header value, a message: most redactions are short).
      const picked = always.length > 0 ? [...always, ...index.find(text)] : index.find(text);
      picked.sort((a, b) => a - b);
      let k = 0;
      for (; k < picked.length && (picked[k] as number) < entries.length; k++)
        (entries[picked[k] as number] as GatedRule).rule.scan(text, out);
      groups.forEach((g, n) => {
        const start = groupStart[n] as number;
        const end = start + g.keywords.length;
        if (k >= picked.length || (picked[k] as number) >= end) return;
        const mine = new Array<boolean>(g.keywords.length).fill(false);
        for (; k < picked.length && (picked[k] as number) < end; k++) mine[(picked[k] as number) - start] = true;
        g.scan(text, mine, out);
      });
    },
  };
}
