/**
 * DESIGN: the report reads a log without loading the tap. Its modules (the top-level reports/, the body
 * readers left in src/reports, src/mechanisms, src/pricing) import only each other, src/log, src/errors and
 * the packages listed here (STYLE #25, after Playwright's DEPS.list).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect, test } from 'vitest';
import { ROOT } from '../../helpers/run.js';

const ALLOWED_DIRS = ['reports', 'src/reports', 'src/mechanisms', 'src/pricing', 'src/log'];
// src/fs/make-dir.ts: the private file mode of everything agenttap writes (node: imports only).
const ALLOWED_FILES = ['src/errors.ts', 'src/fs/make-dir.ts'];
const ALLOWED_PACKAGES = ['diff', 'zod', 'commander'];

test('reports/, src/reports, src/mechanisms and src/pricing never import the tap, the loader or the exchange codecs', () => {
  const bad: string[] = [];
  for (const dir of ['reports', 'src/reports', 'src/mechanisms', 'src/pricing']) {
    for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const file = join(entry.parentPath, entry.name);
      for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm)) {
        const spec = m[1]!;
        if (spec.startsWith('node:')) continue;
        if (!spec.startsWith('.')) {
          if (!ALLOWED_PACKAGES.includes(spec)) bad.push(`${relative(ROOT, file)} → ${spec}`);
          continue;
        }
        const target = relative(ROOT, resolve(dirname(file), spec)).replace(/\.js$/, '.ts');
        if (!ALLOWED_FILES.includes(target) && !ALLOWED_DIRS.some((d) => target.startsWith(`${d}/`))) bad.push(`${relative(ROOT, file)} → ${target}`);
      }
    }
  }
  expect(bad).toEqual([]);
});

test('src/log/read.ts, which the report uses, loads no writer or tap either', () => {
  const text = readFileSync(join(ROOT, 'src/log/read.ts'), 'utf8');
  const specs = [...text.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
  // version.js: the running agenttap's version, named when a log is newer than it reads (package.json only).
  expect(specs.filter((s) => !s!.startsWith('node:'))).toEqual(['../errors.js', '../version.js', './events.js', './log-version.js']);
});
