// dist/src/bun/index.js (tsc output) → dist/src/bun/preload.js: one self-contained ESM file for the Bun preload.
// A compiled Bun binary (native Claude Code) resolves no bare import from disk, so every dependency on the
// tap's path (pino, sonic-boom, secretlint, zod, yaml…) is inlined; only `node:` built-ins stay imports.
import { build } from 'rolldown';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/src/bun/', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// dist/src/version.js reads agenttap/package.json at run time; a compiled Bun binary resolves no name from disk.
const inlineVersion = {
  name: 'agenttap-inline-version',
  load: (id) =>
    /[\\/]dist[\\/]src[\\/]version\.js$/.test(id) ? `export const VERSION = ${JSON.stringify(version)};` : null,
};
// Lazy requires (`createRequire(import.meta.url)('@smithy/eventstream-codec')`, `('scslre')`): under Node they
// cost nothing until used. Inside native Claude Code 2.1.330 the eventstream-codec one fails ("Cannot find
// module": Bedrock streams were recorded without their message), scslre happened to resolve from disk; the
// bundle imports both, so it depends on nothing beside it.
const inlineLazyRequires = {
  name: 'agenttap-inline-lazy-requires',
  transform(code, id) {
    if (!/[\\/]dist[\\/]/.test(id)) return null;
    const imports = [];
    const out = code.replace(
      /createRequire\(import\.meta\.url\)\((['"])([^'"./][^'"]*)\1\)/g,
      (_all, _q, specifier) => {
        const name = `__agenttap_required_${imports.length}`;
        imports.push(`import * as ${name} from ${JSON.stringify(specifier)};`);
        return name;
      },
    );
    return imports.length === 0 ? null : { code: `${imports.join('\n')}\n${out}` };
  },
};
await build({
  input: `${dist}index.js`,
  platform: 'node',
  logLevel: 'warn',
  plugins: [inlineVersion, inlineLazyRequires],
  output: { file: `${dist}preload.js`, format: 'esm', codeSplitting: false },
});
