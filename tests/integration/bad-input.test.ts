/**
 * Issue 16 (items 3 and 9, CLI wording): whatever the user gives — a regex, a flag, a session id — is checked
 * before the agent starts. A bad value stops with exit 78 (config/rules) and one message naming the file or flag,
 * the field and the fix; the agent never runs, never crashes half-way, never stalls on a user pattern.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { AGENTTAP_BIN } from '../helpers/claude-code.js';
import { ROOT, runNode, scratch, spawnBounded } from '../helpers/run.js';

let mock: MockServer;
beforeAll(async () => (mock = await startMock()));
afterAll(() => mock.close());

const agent = join(ROOT, 'examples/anthropic-agent.mjs');
const KEY_FILE = join(ROOT, 'tests', 'fixtures', 'redaction.key');
const agentEnv = () => ({ ANTHROPIC_BASE_URL: mock.url, ANTHROPIC_API_KEY: 'sk-ant-test' });

function configFile(config: unknown): string {
  const file = join(scratch('agenttap-bad-input-'), 'agenttap.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** `agenttap <args>` in a fresh folder, with only the variables given. */
function agenttap(args: string[], env: Record<string, string> = {}) {
  const home = scratch('agenttap-bad-input-home-');
  return spawnBounded(process.execPath, [AGENTTAP_BIN, ...args], {
    cwd: home,
    env: { PATH: process.env.PATH, HOME: home, AGENTTAP_KEY_FILE: KEY_FILE, ...agentEnv(), ...env },
    timeoutMs: 20_000,
  });
}

describe('a user regex is checked before the agent starts', () => {
  it('one that does not compile stops with 78 naming file, field and fix (it used to crash the agent mid-run)', async () => {
    const config = configFile({ redact: { patterns: [{ name: 'internal', pattern: 'itk_([a-z0-9]{32}' }] } });
    mock.reset();
    const run = await runNode(agent, { env: { ...agentEnv(), AGENTTAP_CONFIG: config }, timeoutMs: 20_000 });
    expect(run.code, run.stderr).toBe(78);
    expect(run.stdout).toBe('');
    expect(mock.received.length).toBe(0);
    expect(run.stderr).toContain(
      `${config}: field "redact.patterns[0].pattern": not a valid JavaScript regular expression`,
    );
    expect(run.stderr).toContain('Fix: ');
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('one that backtracks catastrophically stops with 78 (it used to stall the agent for 20 s+)', async () => {
    const config = configFile({ redact: { patterns: [{ name: 'word-run', pattern: '(\\w+\\s?)+$' }] } });
    mock.reset();
    const run = await runNode(agent, { env: { ...agentEnv(), AGENTTAP_CONFIG: config }, timeoutMs: 15_000 });
    expect(run.code, run.stderr).toBe(78);
    expect(mock.received.length).toBe(0);
    expect(run.stderr).toContain(`${config}: field "redact.patterns[0].pattern": can backtrack exponentially`);
  });

  it('a bad model regex in a rules file stops with 78 like every other rules error (it used to turn capture off, exit 0)', async () => {
    const rules = join(scratch('agenttap-bad-input-'), 'rules.json');
    writeFileSync(
      rules,
      JSON.stringify({
        rules: [
          {
            id: 'opus-cap',
            match: { model: { regex: 'claude-(opus' } },
            actions: [{ type: 'capMaxTokens', max: 100 }],
          },
        ],
      }),
    );
    mock.reset();
    const run = await runNode(agent, { env: { ...agentEnv(), AGENTTAP_RULES: rules }, timeoutMs: 20_000 });
    expect(run.code, run.stderr).toBe(78);
    expect(mock.received.length).toBe(0);
    expect(run.stderr).toContain(
      `${rules}: rule "opus-cap" (rules[0]), field "match.model.regex": not a valid JavaScript regular expression`,
    );
    expect(run.stderr).not.toContain('not capturing this run');
  });

  it('agenttap proxy --config with a bad pattern stops with 78 too (it used to crash with a stack)', async () => {
    const config = configFile({ redact: { patterns: [{ name: 'x', pattern: '[z-a]' }] } });
    const run = await agenttap(['proxy', '--upstream', mock.url, '--config', config]);
    expect(run.code, run.stderr).toBe(78);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${config}: field "redact.patterns[0].pattern"`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('the detector loads only when a config holds a user regex', async () => {
    const probe = join(scratch('agenttap-bad-input-'), 'probe.mjs');
    writeFileSync(
      probe,
      "import { createRequire } from 'node:module';\nconst cache = createRequire(import.meta.url).cache;\nconsole.log(Object.keys(cache).some((f) => f.includes('/node_modules/scslre/')));\n",
    );
    const plain = await runNode(probe);
    const withEnv = await runNode(probe, { env: { AGENTTAP_DIR: scratch() } }); // a config (zod), no regex
    const withRegex = await runNode(probe, {
      env: { AGENTTAP_CONFIG: configFile({ redact: { patterns: [{ name: 'itk', pattern: 'itk_[a-z0-9]{32}' }] } }) },
    });
    expect([plain.stdout.trim(), withEnv.stdout.trim(), withRegex.stdout.trim()]).toEqual(['false', 'false', 'true']);
  });
});

describe('errors name what the user typed', () => {
  it('--config that points nowhere names --config; AGENTTAP_CONFIG names the variable', async () => {
    const byFlag = await agenttap(['run', '--config', 'missing.json', '--', 'node', agent]);
    expect(byFlag.code).toBe(78);
    expect(byFlag.stderr).toMatch(
      /^agenttap: --config points at .*missing\.json, which does not exist\. Fix: correct the path given to --config\.\n$/,
    );
    const byVariable = await agenttap(['run', '--', 'node', agent], { AGENTTAP_CONFIG: 'missing.json' });
    expect(byVariable.code).toBe(78);
    expect(byVariable.stderr).toContain('environment variable AGENTTAP_CONFIG points at');
  });

  it.each(['..', 'a/b', '', 'x'.repeat(200)])(
    '--session %j is refused naming --session, and nothing starts',
    async (id) => {
      mock.reset();
      const run = await agenttap(['run', '--session', id, '--', 'node', agent]);
      expect(run.code, run.stderr).toBe(78);
      expect(run.stdout).toBe('');
      expect(mock.received.length).toBe(0);
      expect(run.stderr).toContain('--session: field "session": is not a single folder name. Fix: ');
    },
  );

  it('AGENTTAP_SESSION=.. is refused naming the variable, under run and under the loader alike', async () => {
    const run = await agenttap(['run', '--', 'node', agent], { AGENTTAP_SESSION: '..' });
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('environment variable AGENTTAP_SESSION: field "session"');
    const loader = await runNode(agent, { env: { ...agentEnv(), AGENTTAP_SESSION: '..' } });
    expect(loader.code).toBe(78);
    expect(loader.stderr).toContain('environment variable AGENTTAP_SESSION: field "session"');
  });

  it('--dir "" and --rules missing.json name their flags', async () => {
    const dir = await agenttap(['run', '--dir', '', '--', 'node', agent]);
    expect(dir.code).toBe(78);
    expect(dir.stderr).toContain('--dir: field "dir"');
    const rules = await agenttap(['run', '--rules', 'missing.json', '--', 'node', agent]);
    expect(rules.code).toBe(78);
    expect(rules.stderr).toMatch(/missing\.json: cannot be read \(ENOENT\)\. Fix: check the path given to --rules\./);
    const proxyRules = await agenttap(['proxy', '--upstream', mock.url, '--rules', 'missing.json']);
    expect(proxyRules.code).toBe(78);
    expect(proxyRules.stderr).toMatch(/Fix: check the path given to --rules\./);
    const proxySession = await agenttap(['proxy', '--upstream', mock.url, '--session', '..']);
    expect(proxySession.code).toBe(78);
    expect(proxySession.stdout).toBe('');
    expect(proxySession.stderr).toContain('--session: field "session": is not a single folder name');
  });
});
