/**
 * DESIGN.md's import rules over the whole tree (rules and known violations: ./rules.ts). Type-only imports do
 * not count (tsc erases them); `import()` is the lazy boundary. The checker itself: ./checker.test.ts.
 */
import { expect, test } from 'vitest';
import { ROOT } from '../../helpers/run.js';
import { check, explain } from './checker.js';
import { buildGraph, listSources } from './graph.js';
import { ALLOWED, RULES, SCANNED } from './rules.js';

const graph = buildGraph(ROOT, listSources(ROOT, SCANNED));

test('the tree keeps the import rules (known violations aside)', () => {
  const { violations } = check(graph, RULES, ALLOWED);
  expect(violations.map(explain)).toEqual([]);
});

test('every allowed violation still exists (remove the entries that no longer do)', () => {
  const { stale } = check(graph, RULES, ALLOWED);
  expect(stale.map((a) => `${a.rule}: ${a.from} → ${a.to}`)).toEqual([]);
});

test('the start-up roots are the entries: loader and bun load only their compiled modules, lazily', () => {
  expect(graph.get('loader')).toMatchObject({ imports: [], lazy: ['dist/src/loader/index.js'] });
  expect(graph.get('bun')).toMatchObject({ imports: [], lazy: ['dist/src/bun/preload.js'] });
  // dist/src/bun/preload.js is src/bun/index.ts bundled (scripts/bundle-bun.mjs).
  expect(graph.get('src/loader/index.ts')?.imports.length).toBeGreaterThan(0);
  expect(graph.get('src/bun/index.ts')?.imports.length).toBeGreaterThan(0);
});
