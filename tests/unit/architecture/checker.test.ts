/** The import-rules checker on small planted trees: each rule kind fails on a planted violation. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, test } from 'vitest';
import { scratch } from '../../helpers/run.js';
import { check, explain, type Allowance, type Rule } from './checker.js';
import { buildGraph, listSources } from './graph.js';
import { RULES } from './rules.js';

function plant(files: Record<string, string>): string {
  const root = scratch('agenttap-arch-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function violations(
  files: Record<string, string>,
  rules: readonly Rule[] = RULES,
  allowed: Allowance[] = [],
): string[] {
  const root = plant(files);
  return check(buildGraph(root, listSources(root, ['src', 'reports', 'loader'])), rules, allowed).violations.map(
    explain,
  );
}

const STARTUP = 'startup-path-loads-no-zod-pino-redactor-report-or-cli';

test('the start-up path: zod reached through two modules is a violation, with its path', () => {
  expect(
    violations({
      'src/loader/index.ts': "import { activate } from './activate.js';\nactivate();\n",
      'src/loader/activate.ts': "import { load } from '../config/load.js';\nexport const activate = () => load();\n",
      'src/config/load.ts': "import { z } from 'zod';\nexport const load = () => z.object({});\n",
    }),
  ).toEqual([`${STARTUP}: src/loader/index.ts → src/loader/activate.ts → src/config/load.ts → zod`]);
});

test('the start-up path: a type-only import, a type used only as a type, and import() are no violation', () => {
  expect(
    violations({
      'src/loader/index.ts': [
        "import type { Config } from '../config/schema.js';",
        "import { Schema } from '../config/schema.js';",
        "import { type Pino } from 'pino';",
        'export let c: Config | Schema | Pino | undefined;',
        "export const later = () => import('../cli/index.js');",
      ].join('\n'),
      'src/config/schema.ts':
        "import { z } from 'zod';\nexport const Config = z.object({});\nexport type Config = {};\nexport interface Schema {}\n",
      'src/cli/index.ts': "import 'pino';\n",
    }),
  ).toEqual([]);
});

test('the start-up path: a re-export and a side-effect import count; the loader entry file is a root', () => {
  expect(
    violations({
      loader: "import './src/reports/index.js';\n",
      'src/reports/index.ts': 'export {};\n',
      'src/loader/index.ts': "export * from '../policy/redact/index.js';\n",
      'src/policy/redact/index.ts': 'export const redact = 1;\n',
    }),
  ).toEqual([
    `${STARTUP}: loader → src/reports/index.ts`,
    `${STARTUP}: src/loader/index.ts → src/policy/redact/index.ts`,
  ]);
});

test('policy loading a report module, even through another module, is a violation', () => {
  expect(
    violations({
      'src/policy/rewrite/engine.ts': "import { facts } from '../../mechanisms/facts.js';\nfacts();\n",
      'src/mechanisms/facts.ts': "import { text } from '../reports/content.js';\nexport const facts = () => text;\n",
      'src/reports/content.ts': 'export const text = 1;\n',
    }),
  ).toEqual(['mechanisms-and-policy-never-load-reports: src/mechanisms/facts.ts → src/reports/content.ts']);
});

test('the report (src/reports/ or reports/) importing outside the log and exchange is a violation', () => {
  expect(
    violations({
      'reports/model/threads.ts':
        "import { x } from '../../src/tap/fetch.js';\nimport { y } from '../../src/log/read.js';\nexport const z = [x, y];\n",
      'src/tap/fetch.ts': 'export const x = 1;\n',
      'src/log/read.ts': 'export const y = 1;\n',
    }),
  ).toEqual([
    'reports-import-only-log-and-exchange: reports/model/threads.ts → src/tap/fetch.ts',
    'reports-read-a-log-without-the-tap: reports/model/threads.ts → src/tap/fetch.ts',
  ]);
});

test('the proxy loading the loader is a violation', () => {
  expect(
    violations({
      'src/proxy/server.ts': "import { w } from '../loader/writer.js';\nw();\n",
      'src/loader/writer.ts': 'export const w = () => 1;\n',
    }),
  ).toEqual(['proxy-never-loads-the-loader: src/proxy/server.ts → src/loader/writer.ts']);
});

test('an allowed edge is cut (nothing behind it is reported) and an unused allowance is stale', () => {
  const root = plant({
    'src/proxy/server.ts': "import { w } from '../loader/writer.js';\nw();\n",
    'src/loader/writer.ts': 'export const w = () => 1;\n',
  });
  const graph = buildGraph(root, listSources(root, ['src']));
  const allow = (from: string, to: string): Allowance => ({
    rule: 'proxy-never-loads-the-loader',
    from,
    to,
    reason: 'r',
    removedBy: 'i',
  });
  const used = allow('src/proxy/server.ts', 'src/loader/writer.ts');
  const unused = allow('src/proxy/server.ts', 'src/loader/index.ts');
  expect(check(graph, RULES, [used, unused])).toEqual({ violations: [], stale: [unused] });
});
