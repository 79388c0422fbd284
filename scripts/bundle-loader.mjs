// dist/src/loader/index.js (tsc output) → the same file, bundled: the modules of the agent's start-up path (config
// check, session, the fetch/http patches, the gate) in one file. Node's ESM loader reads, resolves and links each
// module file separately (~1 ms each on an idle machine, far more under load): one file instead of ~16 is most of
// what separates the loader's start from a minimal fetch tee (issue 13; figures in BENCHMARKS.md "startup").
// What loads later stays a file of its own, imported where it always was (same folder, so the relative specifiers
// hold): every dynamic import (zod for a config error, the rules, the SDK layer) and the gate's require('./full.js'),
// the capture opened at the first model call, a bundle of its own (below). errors.js is bundled (its copy differs from the one the lazy files
// import): the entry tells a config error by its code, not by `instanceof`.
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const distDir = fileURLToPath(new URL('../dist/src/', import.meta.url));
const loaderDir = `${distDir}loader/`;

/**
 * Bundles `entry` into itself; its dynamic imports stay files of their own, imported as before, and so do the
 * static imports in `keepFiles` (modules that find their siblings through `import.meta.url`, which a bundle
 * elsewhere would change).
 */
async function bundleInPlace(entry, keepFiles = [], { packagesExternal = false } = {}) {
  const dir = dirname(entry);
  // A specifier for `file`, relative to the bundle's folder (the folder of the entry it replaces).
  const fromEntry = (file) => {
    const path = relative(dir, file);
    return path.startsWith('.') ? path : `./${path}`;
  };
  const keepLazyFiles = {
    name: 'agenttap-keep-lazy-files',
    resolveId(specifier, importer, { kind }) {
      if (importer && packagesExternal && !specifier.startsWith('.') && !specifier.startsWith('/'))
        return { id: specifier, external: true };
      if (!importer || !specifier.startsWith('.')) return null;
      const file = resolve(dirname(importer), specifier);
      if (kind === 'dynamic-import' || keepFiles.includes(file)) return { id: fromEntry(file), external: true };
      return null;
    },
  };
  await build({
    input: entry,
    platform: 'node',
    logLevel: 'warn',
    plugins: [keepLazyFiles],
    output: { file: entry, format: 'esm', codeSplitting: false },
  });
}

await bundleInPlace(`${loaderDir}index.js`);
// The capture the gate opens at the first model call (loader/full.js: ~55 files) in one file too: require()
// of the ~55 files took 45–60 ms of the agent's thread at its first model call, the bundle ~17–27 ms (idle
// machine, Node 20). What else loads them as files of their own — the writer (pino, secretlint), the rules, the
// SDK layer's patch code — shares with it only modules without state of their own (checked when this was
// written: constants, pure functions, the attempt scope kept under a global key), so two copies do not disagree.
// writer-loader.js stays a file: it require()s ./writer.js by its own path.
await bundleInPlace(`${loaderDir}full.js`, [`${distDir}capture/writer-loader.js`]);
// The capture worker (src/log/capture-worker.ts): its ~53 modules of ours in one file; the packages it loads (pino,
// secretlint, eventsource-parser) stay packages. The worker loads them all before it can write the first exchange,
// and a process that exits right after a model call waits for that at its exit: the worker's module graph took
// 52–76 ms instead of 82–106 ms here (idle machine), a one-call process 649 ms instead of 705 (medians of 10).
await bundleInPlace(`${distDir}log/capture-worker.js`, [], { packagesExternal: true });
// The SDK layer's start (on by default on Node ≥ 22.22.3): its hooks, targets and `safely` in one file too; the
// patch code (patch.js) loads with the first SDK file it patches.
await bundleInPlace(`${distDir}tap/sdk/index.js`);

// require-in-the-middle (the SDK layer's CJS hook, src/tap/sdk/hooks.ts) as one file without `debug`: RITM only
// calls it for its own debug lines, and loading it costs an agent's start ~16 ms (it loads tty, net and
// supports-color). hooks.ts falls back to the package where this file is missing.
const NO_DEBUG = '\0agenttap-no-debug';
await build({
  input: fileURLToPath(import.meta.resolve('require-in-the-middle')),
  platform: 'node',
  logLevel: 'warn',
  plugins: [
    {
      name: 'agenttap-no-debug',
      resolveId: (specifier) => (specifier === 'debug' ? NO_DEBUG : null),
      load: (id) => (id === NO_DEBUG ? 'module.exports = () => () => {};' : null),
    },
  ],
  output: { file: `${distDir}tap/sdk/ritm.cjs`, format: 'cjs', codeSplitting: false },
});
