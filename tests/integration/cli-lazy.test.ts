/**
 * Issue 13: the CLI loads the module of the command that runs (`report`: one bundle), not all of them (the others bring zod, secretlint,
 * pino, the proxy: ~0.35 s of CPU at every start). What each command prints stays what it printed with every
 * command loaded: `agenttap <command> --help` (one command loaded) against `agenttap help <command>` (all loaded).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { AGENTTAP_BIN } from '../helpers/claude-code.js';
import { ROOT, scratch, spawnBounded } from '../helpers/run.js';

const SESSION = join(ROOT, 'tests/fixtures/logs/claude-code-1.0');

const cli = (args: string[], nodeArgs: string[] = []) =>
  spawnBounded(process.execPath, [...nodeArgs, AGENTTAP_BIN, ...args], { env: process.env, timeoutMs: 60_000 });

/** The node flags that make the child print every module URL it resolves, one `LOADED <url>` line each on stderr. */
function tracing(): string[] {
  const hook = join(scratch('agenttap-cli-lazy-'), 'hook.mjs');
  writeFileSync(
    hook,
    `import { writeSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  writeSync(2, 'LOADED ' + r.url + '\\n');
  return r;
}`,
  );
  const register = `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hook).href)});`;
  return ['--import', `data:text/javascript,${encodeURIComponent(register)}`];
}

const loaded = (stderr: string) => [
  ...new Set(
    stderr
      .split('\n')
      .filter((l) => l.startsWith('LOADED '))
      .map((l) => l.slice('LOADED '.length)),
  ),
];

describe('the CLI loads the command that runs', () => {
  it('`report --json` loads no other command, and neither zod nor the HTML diff', async () => {
    const r = await cli(['report', SESSION, '--json', '-', '-q', '--no-progress'], tracing());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).format).toBe('agenttap.report');
    const urls = loaded(r.stderr);
    const files = urls.map((u) => /\/dist\/src\/cli\/([\w-]+)\.js$/.exec(u)?.[1]).filter((f) => f !== undefined);
    // The report command is one bundle (scripts/bundle-cli.mjs) with chunks beside it (`report-*`).
    expect(files.filter((f) => !f.startsWith('report-')).sort()).toEqual(['index', 'report']);
    // Its lazy parts stay unloaded: the simulation's rules, the HTML detail, user signature and price files.
    expect(files.filter((f) => /^report-(rules|detail|user-file|pricing)-/.test(f))).toEqual([]);
    expect(urls.filter((u) => /\/node_modules\/(zod|diff|pino|@secretlint)\//.test(u))).toEqual([]);
    // The whole list is short: the bundle, its chunks, errors.js and version.js (~70 modules before the bundle).
    expect(urls.filter((u) => u.includes('/dist/')).length).toBeLessThan(16);
  });

  it('with --prices and --signatures, their files are read as before (zod loaded then)', async () => {
    const dir = scratch('agenttap-cli-lazy-');
    const prices = join(dir, 'prices.json');
    writeFileSync(prices, JSON.stringify({ models: [{ match: '^claude', input: 1, output: 2 }] }));
    const r = await cli(['report', SESSION, '--json', '-', '--prices', prices]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${prices}: not a price table`);
    writeFileSync(
      prices,
      JSON.stringify({ models: [{ match: '^claude', input: 1, output: 2, cache_write: 0, cache_read: 0 }] }),
    );
    const sigs = join(dir, 'sigs.json');
    writeFileSync(sigs, JSON.stringify({ sets: [] }));
    const ok = await cli(['report', SESSION, '--json', '-', '--prices', prices, '--signatures', sigs]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).totals.cost).toBeGreaterThan(0);
    writeFileSync(sigs, '{"sets": 1}');
    const bad = await cli(['report', SESSION, '--json', '-', '--signatures', sigs]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${sigs}: not a signature file`);
  });

  it.each(['cat', 'mock', 'report', 'run', 'proxy', 'import', 'export', 'replay', 'rules'])(
    '`%s --help` alone prints what it prints with every command loaded',
    async (command) => {
      const alone = await cli([command, '--help']);
      const all = await cli(['help', command]);
      expect(alone.code).toBe(0);
      expect(alone.stdout).toContain(`Usage: agenttap ${command}`);
      expect(alone.stdout).toBe(all.stdout);
    },
  );

  it.each(['--version', '-V'])('`%s` loads no command, and prints the version alone', async (flag) => {
    const r = await cli([flag], tracing());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${VERSION}\n`);
    const files = loaded(r.stderr)
      .map((u) => /\/dist\/src\/cli\/([\w-]+)\.js$/.exec(u)?.[1])
      .filter((f) => f !== undefined);
    expect(files).toEqual(['index']);
  });

  it('an unknown option or a missing argument is told as before', async () => {
    const missing = await cli(['report']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^error: missing required argument 'session'\n\nUsage: agenttap report \[options\] <session>/,
    );
    const unknown = await cli(['report', '--bogus', 'x']);
    expect(unknown.stderr).toMatch(/^error: unknown option '--bogus'\n/);
    // A typo: every command is loaded to suggest one.
    const typo = await cli(['reprot']);
    expect(typo.stderr).toContain("error: unknown command 'reprot'\n(Did you mean report?)");
    expect(typo.stderr).toContain('replay [options] <session> [command...]');
  });
});
