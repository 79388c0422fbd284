/**
 * `export.otlp` over the standard OTEL_EXPORTER_OTLP_* variables: the spec's precedence and defaults, and a stop
 * before the agent starts (AGENTTAP_CONFIG_INVALID, the variable and the fix) for a value the exporter would
 * misread.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigSchema } from '../../../src/config/schema.js';
import { AgentTapError } from '../../../src/errors.js';
import { resolveOtlpSettings } from '../../../src/export/settings.js';

const on = { content: false, interval: 5000, exitWait: 1000 };

function dirWith(config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'agenttap-otlp-config-'));
  writeFileSync(join(dir, 'agenttap.config.json'), JSON.stringify(config));
  return dir;
}

async function loadError(config: unknown, env: NodeJS.ProcessEnv = {}): Promise<AgentTapError> {
  const err = await loadConfig(env, dirWith(config)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AgentTapError);
  expect((err as AgentTapError).code).toBe('AGENTTAP_CONFIG_INVALID');
  return err as AgentTapError;
}

describe('resolveOtlpSettings', () => {
  it('gives the OTLP defaults when nothing is set', () => {
    expect(resolveOtlpSettings(on, {})).toEqual({
      url: 'http://localhost:4318/v1/traces',
      protocol: 'http/protobuf',
      headers: {},
      content: false,
      intervalMs: 5000,
      timeoutMs: 10_000,
      exitWaitMs: 1000,
    });
  });

  it('appends /v1/traces to the base endpoint, uses the traces endpoint as given, and lets the config win', () => {
    expect(resolveOtlpSettings(on, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' }).url).toBe(
      'http://c:4318/v1/traces',
    );
    expect(
      resolveOtlpSettings(on, {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:9/custom',
      }).url,
    ).toBe('http://t:9/custom');
    expect(
      resolveOtlpSettings(
        { ...on, endpoint: 'https://cfg.example/otlp' },
        { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:9/custom' },
      ).url,
    ).toBe('https://cfg.example/otlp/v1/traces');
    expect(resolveOtlpSettings({ ...on, endpoint: 'http://c:4318/v1/traces' }, {}).url).toBe('http://c:4318/v1/traces');
  });

  it('reads percent-encoded headers, signal-specific first, the config over them', () => {
    const settings = resolveOtlpSettings(
      { ...on, headers: { 'x-team': 'from-config' } },
      {
        OTEL_EXPORTER_OTLP_HEADERS: 'x-ignored=1',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'Authorization=Bearer%20abc , x-team=ml',
      },
    );
    expect(settings.headers).toEqual({ authorization: 'Bearer abc', 'x-team': 'from-config' });
  });

  it('takes protocol and timeout from the variables', () => {
    const settings = resolveOtlpSettings(on, {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
    });
    expect(settings.protocol).toBe('http/json');
    expect(settings.timeoutMs).toBe(2500);
    // The exit never waits longer than one export may take.
    expect(resolveOtlpSettings(on, { OTEL_EXPORTER_OTLP_TIMEOUT: '300' }).exitWaitMs).toBe(300);
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc', /gRPC is not supported.*Fix: use "http\/protobuf" or "http\/json"/],
    ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'thrift', /"thrift" is not an OTLP protocol/],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', /is not supported|is not a URL/],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'grpc://c:4317', /"grpc:" is not supported.*Fix: use an http/],
    ['OTEL_EXPORTER_OTLP_TIMEOUT', '10s', /"10s" is not a timeout in milliseconds/],
  ])('stops on %s=%s with the variable and the fix', (name, value, message) => {
    let err: unknown;
    try {
      resolveOtlpSettings(on, { [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AgentTapError);
    expect((err as AgentTapError).message).toContain(`environment variable ${name}`);
    expect((err as AgentTapError).message).toMatch(message);
  });

  it('never repeats a malformed header pair (it may hold a token)', () => {
    let message = '';
    try {
      resolveOtlpSettings(on, { OTEL_EXPORTER_OTLP_HEADERS: 'x-team=ml,Bearer sk-live-1234567890' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('OTEL_EXPORTER_OTLP_HEADERS: pair 2 is not a key=value header');
    expect(message).not.toContain('sk-live');
  });
});

describe('export.otlp in the config', () => {
  it('is off unless configured, even with the OTEL variables set', async () => {
    expect(ConfigSchema.parse({}).export).toBeUndefined();
    const { config } = await loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, dirWith({ dir: 'x' }));
    expect(config.export).toBeUndefined();
  });

  it('fills its defaults', async () => {
    const { config } = await loadConfig({}, dirWith({ export: { otlp: {} } }));
    expect(config.export?.otlp).toEqual({ content: false, interval: 5000, exitWait: 1000 });
  });

  it('checks the OTEL variables at load, before the agent starts, only when export is on', async () => {
    const err = await loadError({ export: { otlp: {} } }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(err.message).toContain('environment variable OTEL_EXPORTER_OTLP_PROTOCOL');
    await expect(loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, dirWith({ dir: 'x' }))).resolves.toBeDefined();
  });

  it.each([
    [{ endpoint: 'ftp://c' }, /field "export\.otlp\.endpoint": must be an http/],
    [{ protocol: 'grpc' }, /field "export\.otlp\.protocol".*Fix: use one of "http\/protobuf", "http\/json"/],
    [{ interval: 10 }, /field "export\.otlp\.interval"/],
    [{ endpoit: 'http://c' }, /Fix: remove "endpoit"/],
  ])('names the field and the fix for %j', async (otlp, message) => {
    const err = await loadError({ export: { otlp } });
    expect(err.message).toMatch(message);
  });
});
