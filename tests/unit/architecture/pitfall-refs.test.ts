/** scripts/pitfall-refs.mjs: old PITFALLS references become docs/ links that exist, and a second run is a no-op. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { TARGETS, rewrite } from '../../../scripts/pitfall-refs.mjs';
import { ROOT } from '../../helpers/run.js';

test('every page and anchor a reference can become exists in docs/', () => {
  const missing = TARGETS.filter((target) => {
    const [page, anchor] = target.split('#');
    const text = readFileSync(join(ROOT, 'docs', page!), 'utf8');
    return anchor !== undefined && !text.includes(`<a id="${anchor}"></a>`);
  });
  expect(missing).toEqual([]);
});

test('each form of reference is rewritten; a second run changes nothing', () => {
  const before = [
    '// wrap fetch (PITFALLS #10). Two: (PITFALLS #7, #8)',
    ' * the Bun preload: PITFALLS #13, N1–N2. Labels: PITFALLS N3–N4',
    '    // prefix-bound (PITFALLS, rewriting #3) — see BENCHMARKS.md (PITFALLS #16 — see BENCHMARKS.md)',
    ' * Facts (PITFALLS, "Rewriting must keep a request',
    ' * valid"). Retries: PITFALLS "Retries".',
  ].join('\n');
  const once = rewrite(before);
  expect(once.left).toEqual([]);
  expect(once.text).toBe(
    [
      '// wrap fetch (docs/fetch-tap.md#wrap-fetch-not-the-dispatcher). Two: (docs/sdk-layer.md#signed-bodies, docs/sdk-layer.md#model-in-the-url)',
      ' * the Bun preload: docs/preload.md#bun-binaries, docs/claude-code.md#bun-preload, docs/claude-code.md#preload-fetch-timing. Labels: docs/claude-code.md#raw-body-dump, docs/claude-code.md#query-source',
      '    // prefix-bound (docs/rewrite-validity.md#thinking-signatures) — see BENCHMARKS.md (docs/module-hooks.md#async-hook-cost — see BENCHMARKS.md)',
      ' * Facts (docs/rewrite-validity.md). Retries: docs/claude-code.md#retries.',
    ].join('\n'),
  );
  expect(rewrite(once.text)).toEqual({ text: once.text, left: [] });
});

test('a reference it cannot place is left as it is and reported with its line', () => {
  expect(rewrite('a\n// see PITFALLS #99 and (PITFALLS)\n')).toEqual({
    text: 'a\n// see PITFALLS #99 and (PITFALLS)\n',
    left: [
      { line: 2, text: 'PITFALLS #99' },
      { line: 2, text: 'PITFALLS' },
    ],
  });
});
