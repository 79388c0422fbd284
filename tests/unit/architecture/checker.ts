/**
 * Checks import rules against a graph from ./graph.ts. A rule names the modules it governs and either the
 * targets they must not load or the only ones they may; `direct` looks at their own imports, `transitive`
 * at everything they load at start (static edges only: `import()` is the lazy boundary).
 *
 * Known violations are allowed edges, each with its reason and the issue that removes it. An allowed edge is
 * cut before the walk (what lies behind it is not reported twice); an allowance no longer needed is reported
 * as stale, so the list only shrinks.
 */
import type { Graph } from './graph.js';

export interface Rule {
  id: string;
  /** Patterns: `dir/` (a prefix), or an exact file or package name. */
  from: readonly string[];
  scope: 'direct' | 'transitive';
  forbid?: readonly string[];
  /** When set, any target outside these patterns is a violation. */
  only?: readonly string[];
}

export interface Allowance {
  rule: string;
  from: string;
  to: string;
  reason: string;
  /** What removes it (issue and part). */
  removedBy: string;
}

export interface Violation {
  rule: string;
  /** The governed module, then each module on the way to the offending target. */
  path: string[];
}

export interface Verdict {
  violations: Violation[];
  stale: Allowance[];
}

export function matches(id: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.endsWith('/') ? id.startsWith(p) : id === p));
}

function offends(rule: Rule, target: string): boolean {
  if (rule.forbid && matches(target, rule.forbid)) return true;
  return rule.only !== undefined && !matches(target, rule.only);
}

/** Breadth-first from `start` over static edges not cut by `cut`; the path to each offending target. */
function walk(graph: Graph, rule: Rule, start: string, cut: (from: string, to: string) => boolean): string[][] {
  const parent = new Map<string, string | undefined>([[start, undefined]]);
  const found: string[][] = [];
  const queue = [start];
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const next of graph.get(id)?.imports ?? []) {
      if (parent.has(next) || cut(id, next)) continue;
      parent.set(next, id);
      if (offends(rule, next)) {
        const path = [next];
        for (let at = parent.get(next); at !== undefined; at = parent.get(at)) path.unshift(at);
        found.push(path);
      } else if (rule.scope === 'transitive') {
        queue.push(next);
      }
    }
  }
  return found;
}

export function check(graph: Graph, rules: readonly Rule[], allowances: readonly Allowance[]): Verdict {
  const used = new Set<Allowance>();
  // One violation per offending edge (the shortest path to it): many governed modules may share it.
  const byEdge = new Map<string, Violation>();
  for (const rule of rules) {
    const cut = (from: string, to: string): boolean => {
      const hit = allowances.find((a) => a.rule === rule.id && a.from === from && a.to === to);
      if (hit) used.add(hit);
      return hit !== undefined;
    };
    const governed = [...graph.values()].filter((n) => !n.isPackage && matches(n.id, rule.from));
    for (const node of governed) {
      for (const path of walk(graph, rule, node.id, cut)) {
        const edge = `${rule.id} ${path.slice(-2).join(' ')}`;
        const seen = byEdge.get(edge);
        if (!seen || seen.path.length > path.length) byEdge.set(edge, { rule: rule.id, path });
      }
    }
  }
  return { violations: [...byEdge.values()], stale: allowances.filter((a) => !used.has(a)) };
}

export function explain(v: Violation): string {
  return `${v.rule}: ${v.path.join(' → ')}`;
}
