/**
 * The Bun preload bundle (dist/src/bun/preload.js, scripts/bundle-bun.mjs) runs inside a compiled Bun binary (native
 * Claude Code), which resolves no bare specifier from disk: every import and require left in the bundle must be a
 * Node built-in. Lazy `createRequire(import.meta.url)('@smithy/eventstream-codec')` and `('scslre')` were left
 * out of the bundle; the first failed inside Claude Code 2.1.330 (tests/e2e/claude-code-native-bedrock.test.ts).
 * Needs `npm run build`.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ROOT } from '../../helpers/run.js';

test('every import and require left in the Bun preload bundle is a Node built-in', () => {
  const code = readFileSync(join(ROOT, 'dist', 'src', 'bun', 'preload.js'), 'utf8');
  // The forms rolldown emits (double quotes; the single-quoted ones in the file are comments of bundled packages):
  // `require("x")`, `import … from "x"`, `import "x"`, `import("x")`, and a required call `…)("x")`.
  const specifiers = new Set<string>();
  for (const m of code.matchAll(/(?:\brequire\(|\bfrom |\bimport |\bimport\(|\)\()"([^"\s]+)"\)?/g))
    specifiers.add(m[1]!);
  expect(specifiers.size).toBeGreaterThan(0);
  const builtin = new Set(builtinModules);
  const outside = [...specifiers].filter((s) => !s.startsWith('node:') && !builtin.has(s));
  expect(outside).toEqual([]);
  // What those lazy requires load is in the bundle itself: the event-stream decoder and the regex lint.
  expect(code).toMatch(/\bEventStreamCodec = class\b|\bclass EventStreamCodec\b/);
  expect(code).toMatch(/\bexports\.analyse = function\b/);
  expect(code).not.toMatch(/createRequire\(import\.meta\.url\)\("(?!node:)/);
});
