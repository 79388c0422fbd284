/**
 * Issue 14: no secret in any exported byte. The secrets test's agent (an API key, an AWS key pair, a GitHub token,
 * a JWT, a private key in headers, the prompt and a tool result; a Stripe key in the model's answer) runs under the
 * loader; its session is exported with --content over http/json and http/protobuf, and every byte the receiver got
 * is scanned for every secret — raw, JSON-escaped and base64 — while the prompt's own words did arrive.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { AGENTTAP_BIN } from '../helpers/claude-code.js';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { ROOT, runNode, spawnBounded } from '../helpers/run.js';
import { plantedSecrets, secretAgentScript, secretProbes } from '../helpers/secret-agent.js';

const secrets = plantedSecrets(1414);

const probes = secretProbes(secrets);

let mock: MockServer;
let sessionDir: string;
const receivers: OtlpReceiver[] = [];

beforeAll(async () => {
  mock = await startMock({
    script: secretAgentScript(secrets),
  });
  const run = await runNode(join(ROOT, 'tests/fixtures/apps/secret-agent.mjs'), {
    env: { ANTHROPIC_BASE_URL: mock.url, SECRETS: JSON.stringify(secrets) },
  });
  expect(run.code, run.stderr).toBe(0);
  sessionDir = run.sessionDir;
}, 60_000);

afterAll(async () => {
  await mock.close();
  for (const r of receivers) await r.close();
});

describe('agenttap export otlp --content', () => {
  for (const protocol of ['http/json', 'http/protobuf']) {
    it(`sends no planted secret over ${protocol}`, async () => {
      const receiver = await startOtlpReceiver();
      receivers.push(receiver);
      const run = await spawnBounded(
        process.execPath,
        [AGENTTAP_BIN, 'export', 'otlp', sessionDir, '--endpoint', receiver.url, '--protocol', protocol, '--content'],
        { env: process.env, timeoutMs: 60_000 },
      );
      expect(run.code, run.stderr).toBe(0);
      const bytes = Buffer.concat(receiver.requests.map((r) => r.raw)).toString('latin1');
      // The content did travel: the prompt's words, the tool result's file and the redaction tags.
      expect(bytes).toContain('Deploy with AWS key');
      expect(bytes).toContain('GITHUB_TOKEN=');
      expect(bytes).toMatch(/\[REDACTED:/);
      for (const p of probes) expect(bytes.includes(p.x), `${p.name} in the exported bytes`).toBe(false);
      // Nor in what the command printed.
      for (const p of probes) expect(run.stderr.includes(p.x) || run.stdout.includes(p.x), p.name).toBe(false);
    });
  }
});
