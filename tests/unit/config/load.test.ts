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
  if (config !== undefined) writeFileSync(join(dir, 'agenttap.config.json'), typeof config === 'string' ? config : JSON.stringify(config));
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
    const { config, file } = await loadConfig({ AGENTTAP_DIR: 'from-env', AGENTTAP_ENDPOINTS: 'llm.local/api/gen,/v2/generate' }, cwd);
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

  it('gives the zod-free defaults exactly what the schema gives', async () => {
    expect(defaultConfig()).toEqual(ConfigSchema.parse({}));
  });

  it('turns on debug through NODE_DEBUG=agenttap', async () => {
    expect((await loadConfig({ NODE_DEBUG: 'http,agenttap' }, dirWith())).config.debug).toBe(true);
    expect((await loadConfig({ NODE_DEBUG: 'http' }, dirWith())).config.debug).toBe(false);
  });
});
