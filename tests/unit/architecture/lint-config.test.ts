/**
 * biome.json holds the limits issue 12 asks for: planted in a scratch copy of the tree's layout, a console call,
 * a 401-line file and an 81-line function fail in src/ and reports/ (not in tests/), and so does a floating
 * promise anywhere.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, test } from 'vitest';
import { ROOT, scratch, spawnBounded } from '../../helpers/run.js';

const statements = (n: number) => Array.from({ length: n }, (_, i) => `  x += ${i};`).join('\n');
const longFunction = `export function f(): number {\n  let x = 0;\n${statements(79)}\n  return x;\n}\n`;
const longFile = `${Array.from({ length: 401 }, (_, i) => `export const c${i} = ${i};`).join('\n')}\n`;
const consoleCall = "export function f(): void {\n  console.error('x');\n}\n";
const floating = 'async function g(): Promise<void> {}\nexport function f(): void {\n  g();\n}\n';

test('the lint limits fail where they apply and only there', { timeout: 120_000 }, async () => {
  const root = scratch('agenttap-lint-');
  copyFileSync(join(ROOT, 'biome.json'), join(root, 'biome.json'));
  const files: Record<string, string> = {
    'src/tap/console.ts': consoleCall,
    'reports/render/long-function.ts': longFunction,
    'src/log/long-file.ts': longFile,
    'tests/unit/console.ts': consoleCall,
    'tests/unit/long-function.ts': longFunction,
    'tests/unit/floating.ts': floating,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const biome = join(ROOT, 'node_modules', '.bin', 'biome');
  const run = await spawnBounded(biome, ['lint', '--reporter=json', '--vcs-enabled=false', '.'], {
    cwd: root,
    env: process.env,
    timeoutMs: 100_000,
  });
  const report = JSON.parse(run.stdout) as { diagnostics: { category: string; location: { path: string } }[] };
  const found = report.diagnostics.map((d) => `${d.location.path} ${d.category}`).sort();
  expect(found).toEqual([
    'reports/render/long-function.ts lint/complexity/noExcessiveLinesPerFunction',
    'src/log/long-file.ts lint/style/noExcessiveLinesPerFile',
    'src/tap/console.ts lint/suspicious/noConsole',
    'tests/unit/floating.ts lint/nursery/noFloatingPromises',
  ]);
  expect(run.code).toBe(1);
});
