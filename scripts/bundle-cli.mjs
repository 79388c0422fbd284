// dist/src/cli/report.js (tsc output) → the same file, bundled: `agenttap report`'s modules (the reader, the model,
// the renderers, src/log, src/mechanisms, src/pricing) in one file instead of ~70. Node's ESM loader reads, resolves
// and links each module file separately (~1 ms each on an idle machine, far more under load): a report of a small
// session spent most of its CPU there (issue 13; figures in BENCHMARKS.md "report-speed").
// What the command loads only when asked for (the HTML detail, user signature and price files, `--simulate`'s
// rules) are chunks beside it, split by rolldown: a module is never loaded twice (a second copy of a module-level
// WeakSet or cache would not see the first's). Shared with the CLI's entry (index.js), so kept as they are:
// errors.js (index.ts tells a usage error by `instanceof AgentTapError`) and version.js. Packages stay imports.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const cliDir = fileURLToPath(new URL('../dist/src/cli/', import.meta.url));
/** Modules the entry (index.js) imports too: one instance each, so not bundled. */
const SHARED = new Set(['errors.js', 'version.js'].map((f) => resolve(cliDir, '..', f)));

const sharedAsIs = {
  name: 'agenttap-cli-shared',
  resolveId(specifier, importer) {
    if (!importer) return null;
    if (!specifier.startsWith('.')) return { id: specifier, external: true };
    const file = resolve(dirname(importer), specifier);
    if (!SHARED.has(file)) return null;
    return { id: `./${relative(cliDir, file)}`.replace(/^\.\/\.\.\//, '../'), external: true };
  },
};

// Run once after tsc (npm run build): a second run would bundle the bundle.
if (readFileSync(`${cliDir}report.js`, 'utf8').includes('from "./report-')) process.exit(0);
// Chunks of an earlier run (their names carry a content hash) would stay beside the new ones.
for (const f of readdirSync(cliDir)) if (/^report-.+\.js$/.test(f)) rmSync(`${cliDir}${f}`);

await build({
  input: { report: `${cliDir}report.js` },
  platform: 'node',
  logLevel: 'warn',
  plugins: [sharedAsIs],
  // rules.js imports statically what its rules loader imports lazily: the chunk then holds both, as wanted.
  onLog: (level, log, next) => (log.code === 'INEFFECTIVE_DYNAMIC_IMPORT' ? undefined : next(level, log)),
  output: { dir: cliDir, format: 'esm', entryFileNames: '[name].js', chunkFileNames: 'report-[name]-[hash].js' },
});
// tsc's map of the file replaced would point into the wrong file.
rmSync(`${cliDir}report.js.map`, { force: true });
