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
  load: (id) => (/[\\/]dist[\\/]src[\\/]version\.js$/.test(id) ? `export const VERSION = ${JSON.stringify(version)};` : null),
};
await build({
  input: `${dist}index.js`,
  platform: 'node',
  logLevel: 'warn',
  plugins: [inlineVersion],
  output: { file: `${dist}preload.js`, format: 'esm', codeSplitting: false },
});
