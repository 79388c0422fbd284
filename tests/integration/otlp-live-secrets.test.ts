/**
 * Issue 14, live: no secret in any byte the live export sends. The secrets test's agent (keys in headers, the
 * prompt and a tool result; a Stripe key in the model's answer) runs under the loader with `export.otlp` and
 * `content` on; every byte the receiver got is scanned for every secret — raw, JSON-escaped and base64 — while the
 * prompt's own words did arrive. The worker reads the log the sink wrote, after redaction: nothing raw to leak.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { ROOT, runNode, scratch } from '../helpers/run.js';
import { plantedSecrets, secretAgentScript, secretProbes } from '../helpers/secret-agent.js';

const secrets = plantedSecrets(1415);

const probes = secretProbes(secrets);

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock({
    script: secretAgentScript(secrets),
  });
});
afterAll(() => mock.close());

describe('live OTLP export with content on', () => {
  for (const protocol of ['http/json', 'http/protobuf']) {
    it(`sends no planted secret over ${protocol}`, async () => {
      const receiver = await startOtlpReceiver();
      try {
        const config = join(scratch('agenttap-otlp-'), 'agenttap.config.json');
        const otlp = { endpoint: receiver.url, protocol, content: true, interval: 200, exitWait: 10_000 };
        writeFileSync(config, JSON.stringify({ export: { otlp } }));
        mock.reset();
        const run = await runNode(join(ROOT, 'tests/fixtures/apps/secret-agent.mjs'), {
          timeoutMs: 60_000,
          env: { ANTHROPIC_BASE_URL: mock.url, SECRETS: JSON.stringify(secrets), AGENTTAP_CONFIG: config },
        });
        expect(run.code, run.stderr).toBe(0);
        const bytes = Buffer.concat(receiver.requests.map((r) => r.raw)).toString('latin1');
        // The content did travel: the prompt's words, the tool result's file and the redaction tags.
        expect(bytes).toContain('Deploy with AWS key');
        expect(bytes).toContain('GITHUB_TOKEN=');
        expect(bytes).toMatch(/\[REDACTED:/);
        for (const p of probes) expect(bytes.includes(p.x), `${p.name} in the exported bytes`).toBe(false);
        for (const p of probes) expect(run.stderr.includes(p.x) || run.stdout.includes(p.x), p.name).toBe(false);
      } finally {
        await receiver.close();
      }
    });
  }
});
