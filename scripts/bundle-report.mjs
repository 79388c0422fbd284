// reports/render/html/client/index.ts (its views, the shared formatters, the reminder splitter) →
// dist/reports/render/html/client.bundle.js: one IIFE that page.ts inlines into the report page under a CSP
// hash. rolldown reads the TypeScript sources directly (already a devDependency for the Bun preload bundle).
import { build } from 'rolldown';
import { fileURLToPath } from 'node:url';

const root = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));
await build({
  input: root('reports/render/html/client/index.ts'),
  platform: 'browser',
  logLevel: 'warn',
  output: { file: root('dist/reports/render/html/client.bundle.js'), format: 'iife', codeSplitting: false },
});
