import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/defaults.js';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigSchema } from '../../../src/config/schema.js';
import { AgentTapError } from '../../../src/errors.js';

function dirWith(config?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'agenttap-config-'));
  if (config !== undefined)
    writeFileSync(join(dir, 'agenttap.config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return dir;
}

async function errorOf(fn: () => Promise<unknown>): Promise<AgentTapError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AgentTapError);
    return err as AgentTapError;
  }
  throw new Error('expected an error');
}

describe('loadConfig', async () => {
  it('gives the documented defaults when there is no file and no variable', async () => {
    const { config, file } = await loadConfig({}, dirWith());
    expect(file).toBeUndefined();
    expect(config).toMatchObject({ enabled: true, dir: '.agenttap/sessions', children: 'join', endpoints: [] });
    expect(config.capture.blobMinBytes).toBe(256);
    expect(config.redact.highEntropy).toBe(true);
  });

  it('reads ./agenttap.config.json and lets the environment win', async () => {
    const cwd = dirWith({ dir: 'from-file', children: 'off', capture: { maxBodyBytes: 1000 } });
    const { config, file } = await loadConfig(
      { AGENTTAP_DIR: 'from-env', AGENTTAP_ENDPOINTS: 'llm.local/api/gen,/v2/generate' },
      cwd,
    );
    expect(file).toBe(join(cwd, 'agenttap.config.json'));
    expect(config.dir).toBe('from-env');
    expect(config.children).toBe('off');
    expect(config.capture).toEqual({ maxBodyBytes: 1000, blobMinBytes: 256 });
    expect(config.endpoints).toEqual([{ host: 'llm.local', path: '/api/gen' }, { path: '/v2/generate' }]);
  });

  it('names the file, the field and the fix for a bad value', async () => {
    const cwd = dirWith({ children: 'sometimes' });
    const err = await errorOf(() => loadConfig({}, cwd));
    expect(err.code).toBe('AGENTTAP_CONFIG_INVALID');
    expect(err.message).toContain(join(cwd, 'agenttap.config.json'));
    expect(err.message).toContain('field "children"');
    expect(err.message).toMatch(/Fix: use one of "join", "off"/);
  });

  it('names an unknown key and says to remove it', async () => {
    const err = await errorOf(() => loadConfig({}, dirWith({ capture: { maxBodyByte: 5 } })));
    expect(err.message).toContain('field "capture"');
    expect(err.message).toContain('remove "maxBodyByte"');
  });

  it('names the environment variable when the bad value came from there', async () => {
    const err = await errorOf(() => loadConfig({ AGENTTAP_ENABLED: 'perhaps' }, dirWith()));
    expect(err.message).toContain('environment variable AGENTTAP_ENABLED');
    expect(err.message).toContain('field "enabled"');
  });

  it('reports broken JSON with the file name', async () => {
    const cwd = dirWith('{ "dir": ');
    const err = await errorOf(() => loadConfig({}, cwd));
    expect(err.message).toContain('agenttap.config.json: not valid JSON');
  });

  it('refuses an AGENTTAP_CONFIG that points nowhere', async () => {
    const err = await errorOf(() => loadConfig({ AGENTTAP_CONFIG: 'missing.json' }, dirWith()));
    expect(err.message).toMatch(/AGENTTAP_CONFIG points at .*missing\.json, which does not exist/);
  });

  it('names the flag when the user typed one, the variable when they set one (issue 16)', async () => {
    const byFlag = await errorOf(() =>
      loadConfig({ AGENTTAP_CONFIG: 'missing.json' }, dirWith(), { AGENTTAP_CONFIG: '--config' }),
    );
    expect(byFlag.message).toMatch(
      /--config points at .*missing\.json, which does not exist\. Fix: correct the path given to --config\./,
    );
    expect(byFlag.message).not.toContain('AGENTTAP_CONFIG');
    const byVariable = await errorOf(() => loadConfig({ AGENTTAP_DIR: '', AGENTTAP_SESSION: '..' }, dirWith()));
    expect(byVariable.message).toContain('environment variable AGENTTAP_SESSION: field "session"');
    const flagged = await errorOf(() =>
      loadConfig({ AGENTTAP_SESSION: '..' }, dirWith(), { AGENTTAP_SESSION: '--session' }),
    );
    expect(flagged.message).toContain('--session: field "session": is not a single folder name. Fix: ');
  });

  it.each(['..', '.', 'a/b', '../up', '-rf', '.hidden', 'x'.repeat(129), 'tab\there'])(
    'refuses the session id %j wherever it comes from',
    async (id) => {
      expect((await errorOf(() => loadConfig({ AGENTTAP_SESSION: id }, dirWith()))).code).toBe(
        'AGENTTAP_CONFIG_INVALID',
      );
      expect((await errorOf(() => loadConfig({}, dirWith({ session: id })))).message).toContain(
        'field "session": is not a single folder name',
      );
    },
  );

  it('takes session ids that are one folder name, and an empty --session is an error (an empty variable is unset)', async () => {
    for (const id of ['review-42', 'a', '20261202-033624-abc123', 'v1.2_run', 'x'.repeat(128)]) {
      expect((await loadConfig({ AGENTTAP_SESSION: id }, dirWith())).config.session).toBe(id);
    }
    expect((await loadConfig({ AGENTTAP_SESSION: '' }, dirWith())).config.session).toBeUndefined();
    expect(
      (await errorOf(() => loadConfig({ AGENTTAP_SESSION: '' }, dirWith(), { AGENTTAP_SESSION: '--session' }))).message,
    ).toContain('--session: field "session"');
  });

  it('compiles and lints redact.patterns at load: the field is named like JavaScript, with the fix (issue 16)', async () => {
    const cwd = dirWith({
      redact: {
        patterns: [
          { name: 'ok', pattern: 'itk_[a-z0-9]{32}' },
          { name: 'broken', pattern: 'itk_(' },
          { name: 'slow', pattern: '(a+)+$' },
          { name: 'sticky', pattern: 'x_[0-9]{4}', flags: 'y' },
        ],
      },
    });
    const err = await errorOf(() => loadConfig({}, cwd));
    expect(err.code).toBe('AGENTTAP_CONFIG_INVALID');
    const file = join(cwd, 'agenttap.config.json');
    expect(err.message).toContain(
      `${file}: field "redact.patterns[1].pattern": not a valid JavaScript regular expression (/itk_(/: Unterminated group). Fix: `,
    );
    expect(err.message).toContain(`${file}: field "redact.patterns[2].pattern": can backtrack exponentially`);
    expect(err.message).toContain(`${file}: field "redact.patterns[3].flags": "y" (sticky)`);
    expect(err.message).not.toContain('redact.patterns[0]');
    // Each line carries one fix, not the generic one after it.
    expect(err.message).not.toContain('see `agenttap schema config`');
  });

  it('gives the zod-free defaults exactly what the schema gives', async () => {
    expect(defaultConfig()).toEqual(ConfigSchema.parse({}));
  });

  it('turns on debug through NODE_DEBUG=agenttap', async () => {
    expect((await loadConfig({ NODE_DEBUG: 'http,agenttap' }, dirWith())).config.debug).toBe(true);
    expect((await loadConfig({ NODE_DEBUG: 'http' }, dirWith())).config.debug).toBe(false);
  });
});
