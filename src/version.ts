import { createRequire } from 'node:module';

/**
 * agenttap's own version, from package.json (one source of truth), found by the package's own name: this file
 * is src/version.ts in the repo and dist/src/version.js once built, so a relative path fits only one of them.
 */
export const VERSION: string = (createRequire(import.meta.url)('agenttap/package.json') as { version: string }).version;
