/**
 * `agenttap export otlp` on a committed log (tests/fixtures/logs/claude-code-1.0): the standard
 * OTEL_EXPORTER_OTLP_* variables work without flags, flags come first, and every failure is one clear line on
 * stderr naming the flag and the fix, with its exit code (2: usage; 1: the collector did not take the spans).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENTTAP_BIN } from '../helpers/claude-code.js';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { ROOT, spawnBounded } from '../helpers/run.js';

const LOG = join(ROOT, 'tests', 'fixtures', 'logs', 'claude-code-1.0');
const receivers: OtlpReceiver[] = [];
afterAll(async () => {
  for (const r of receivers) await r.close();
});

const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
const exportOtlp = (args: string[], env: Record<string, string | undefined> = {}) =>
  spawnBounded(process.execPath, [AGENTTAP_BIN, 'export', 'otlp', ...args], {
    env: { ...clean, ...env },
    timeoutMs: 30_000,
  });

async function receiver(mode?: 'fail' | 'hang') {
  const r = await startOtlpReceiver({ mode });
  receivers.push(r);
  return r;
}

describe('agenttap export otlp (CLI)', () => {
  it('honours OTEL_EXPORTER_OTLP_ENDPOINT, _HEADERS and _PROTOCOL; --headers adds to them', async () => {
    const r = await receiver();
    const run = await exportOtlp([LOG, '--headers', 'authorization=Bearer%20t0k'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: r.url,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-team=a%20b',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    expect(run.code, run.stderr).toBe(0);
    expect(r.requests.length).toBeGreaterThan(0);
    expect(r.requests[0]!.protocol).toBe('json');
    expect(r.requests[0]!.headers['x-team']).toBe('a b');
    expect(r.requests[0]!.headers.authorization).toBe('Bearer t0k');
    expect(run.stderr).toMatch(
      new RegExp(`^agenttap export otlp: sent ${r.spans().length} spans .* to ${r.url}/v1/traces \\(http/json\\)`),
    );
  });

  it('--endpoint and --protocol come before the variables', async () => {
    const r = await receiver();
    const run = await exportOtlp([LOG, '--endpoint', `${r.url}/v1/traces`, '--protocol', 'http/protobuf'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    expect(run.code, run.stderr).toBe(0);
    expect(r.requests.map((x) => x.protocol)).toEqual(r.requests.map(() => 'protobuf'));
  });

  for (const [args, pattern] of [
    [
      ['--protocol', 'grpc'],
      /^agenttap: --protocol: gRPC is not supported\. Fix: use "http\/protobuf" or "http\/json"/,
    ],
    [
      ['--endpoint', 'localhost:4318'],
      /^agenttap: --endpoint: "localhost:" is not supported .*Fix: use an http:\/\/ or https:\/\/ URL/,
    ],
    [['--endpoint', 'not a url'], /^agenttap: --endpoint: "not a url" is not a URL\. Fix:/],
    [['--headers', 'sk-s3cr3t'], /^agenttap: --headers: pair 1 is not a key=value header .*Fix: write comma-separated/],
    [['--max-content', '10'], /--max-content 10: not a whole number ≥ 256/],
  ] as const)
    it(`refuses ${args.join(' ')} with exit code 2 and the fix`, async () => {
      const run = await exportOtlp([LOG, ...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(pattern);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      if (args[0] === '--headers') expect(run.stderr).not.toContain(args[1]); // a header may be a secret
    });

  it('a bad variable is named, and so are the flags that win over it', async () => {
    const run = await exportOtlp([LOG], { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL: gRPC is not supported\. Fix: .*--protocol/);
  });

  it('a missing session: exit code 2, naming the path', async () => {
    const run = await exportOtlp([join(LOG, 'nope'), '--endpoint', 'http://127.0.0.1:9']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/nope: .*Fix:/);
  });

  it('a collector that is down or answers 500: exit code 1, one line naming the endpoint', async () => {
    const down = await receiver();
    await down.close();
    const failing = await receiver('fail');
    for (const url of [down.url, failing.url]) {
      const t0 = Date.now();
      const run = await exportOtlp([LOG, '--endpoint', url]);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(
          `^agenttap export otlp: sending to ${url}/v1/traces \\(http/protobuf\\) failed: .*Fix: check --endpoint`,
        ),
      );
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(Date.now() - t0).toBeLessThan(20_000);
    }
    expect(failing.requests.length).toBeGreaterThan(0);
  });

  it('a collector that never answers: exit code 1 after OTEL_EXPORTER_OTLP_TIMEOUT, not a hang', async () => {
    const hanging = await receiver('hang');
    const t0 = Date.now();
    const run = await exportOtlp([LOG, '--endpoint', hanging.url], { OTEL_EXPORTER_OTLP_TIMEOUT: '1500' });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/failed: .*timed out.*Fix: check --endpoint/i);
    expect(hanging.requests.length).toBeGreaterThan(0);
    // The default timeout is 10 s: well under it, the variable was honoured.
    expect(Date.now() - t0).toBeLessThan(9_000);
  });
});
