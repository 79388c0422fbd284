/**
 * The runtime import graph of the tree, for the import-rules test (tests/unit/architecture/imports.test.ts).
 *
 *   source file ──ts.transpileModule──► emitted JS ──parse──► static edges (import/export … from, import 'x')
 *                                                            lazy edges   (import('x'), the lazy boundary)
 *
 * Each .ts file is transpiled first, as tsc would emit it: an import used only as a type disappears there,
 * so it is no edge (it loads nothing at run time). Relative specifiers resolve to files of the tree
 * (`./x.js` → `x.ts`); bare ones become package nodes (`zod`, `@scope/name`); Node builtins are dropped.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export interface ModuleNode {
  /** Repo-relative path (`src/tap/fetch.ts`) or a package name (`zod`). */
  id: string;
  isPackage: boolean;
  /** Targets loaded when this module loads. */
  imports: string[];
  /** Targets loaded later, by `import()`: not followed for what a module loads at start. */
  lazy: string[];
}

export type Graph = Map<string, ModuleNode>;

const SOURCE = /\.(?:ts|mts|js|mjs)$/;

/** Every source file under `dirs` (and the single files named in `dirs`), relative to `root`. */
export function listSources(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  for (const dir of dirs) {
    const abs = join(root, dir);
    if (!existsSync(abs)) continue;
    if (statSync(abs).isFile()) {
      out.push(dir);
      continue;
    }
    for (const entry of readdirSync(abs, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !SOURCE.test(entry.name) || entry.name.endsWith('.d.ts')) continue;
      out.push(relative(root, join(entry.parentPath, entry.name)));
    }
  }
  return out.sort();
}

/** The package a bare specifier names: `@scope/name/sub` → `@scope/name`, `zod/mini` → `zod`. */
export function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function resolveRelative(root: string, fromFile: string, spec: string): string {
  const base = resolve(root, dirname(fromFile), spec);
  const candidates = [
    base,
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    `${base}.ts`,
    join(base, 'index.ts'),
  ];
  const hit = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  return relative(root, hit ?? base);
}

/** The specifiers a module loads at start and later, from its emitted JavaScript. */
export function specifiersOf(file: string, text: string): { imports: string[]; lazy: string[] } {
  const js =
    file.endsWith('.ts') || file.endsWith('.mts')
      ? ts.transpileModule(text, {
          fileName: file,
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        }).outputText
      : text;
  const source = ts.createSourceFile('emitted.mjs', js, ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS);
  const imports: string[] = [];
  const lazy: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      imports.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) lazy.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, lazy };
}

/** The graph of `files` (repo-relative), with the packages they import as leaf nodes. */
export function buildGraph(root: string, files: readonly string[]): Graph {
  const graph: Graph = new Map();
  const target = (file: string, spec: string): string | undefined => {
    if (spec.startsWith('node:') || builtinModules.includes(spec)) return undefined;
    if (spec.startsWith('.')) return resolveRelative(root, file, spec);
    const pkg = packageOf(spec);
    if (!graph.has(pkg)) graph.set(pkg, { id: pkg, isPackage: true, imports: [], lazy: [] });
    return pkg;
  };
  for (const file of files) {
    const specs = specifiersOf(file, readFileSync(join(root, file), 'utf8'));
    const resolveAll = (list: string[]) => [
      ...new Set(list.map((s) => target(file, s)).filter((t) => t !== undefined)),
    ];
    graph.set(file, { id: file, isPackage: false, imports: resolveAll(specs.imports), lazy: resolveAll(specs.lazy) });
  }
  return graph;
}
