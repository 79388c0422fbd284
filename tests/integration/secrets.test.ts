/**
 * A secret never reaches disk unredacted: an API key, an AWS key pair, a GitHub token, a JWT and a private
 * key planted in headers, the prompt, a tool result and the model's answer are absent from every file the
 * run wrote; the same secret carries the same tag in every request.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { allFileText, eventsOf, ROOT, runNode, sessionEvents } from '../helpers/run.js';
import { pemBody } from '../unit/redact/fixtures.js';
import { plantedSecrets, secretAgentScript } from '../helpers/secret-agent.js';

const secrets = plantedSecrets(2026);

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock({
    script: secretAgentScript(secrets),
  });
});
afterAll(() => mock.close());

describe('secrets', () => {
  it('never reach any file the run wrote, and keep one tag per secret', async () => {
    const run = await runNode(join(ROOT, 'tests/fixtures/apps/secret-agent.mjs'), {
      env: { ANTHROPIC_BASE_URL: mock.url, SECRETS: JSON.stringify(secrets) },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(mock.received.length).toBe(3);
    // The secrets really travelled (else their absence from the log would prove nothing).
    const wire = mock.received.map((r) => r.rawBody.toString() + JSON.stringify(r.headers)).join('');
    for (const [name, value] of Object.entries(secrets)) {
      if (name === 'stripe') continue; // in the model's answer, not in a request
      const probe = name === 'pem' ? pemBody(value).split('\n')[1]! : value;
      expect(wire.includes(probe) || wire.includes(JSON.stringify(probe).slice(1, -1)), `${name} on the wire`).toBe(
        true,
      );
    }

    const written = allFileText(run.home);
    expect(written.length).toBeGreaterThan(1000);
    for (const [name, value] of Object.entries(secrets)) {
      const probes =
        name === 'pem'
          ? pemBody(value)
              .split('\n')
              .filter((l) => l.length > 20)
          : [value];
      for (const probe of probes) expect(written.includes(probe), `${name} leaked`).toBe(false);
    }

    const events = await sessionEvents(run.sessionDir);
    const requests = eventsOf(events, 'exchange.request');
    const tagsOf = (text: string, type: string) =>
      [...text.matchAll(new RegExp(`\\[REDACTED:${type}:([0-9a-f]{8})\\]`, 'g'))].map((m) => m[1]);
    // The GitHub token: in every request's header, and in the tool result of the second one — one tag.
    const githubTags = new Set(requests.flatMap((r) => tagsOf(JSON.stringify(r), 'github-token')));
    expect(githubTags.size).toBe(1);
    expect(tagsOf(JSON.stringify(requests[1]!.body), 'github-token').length).toBeGreaterThanOrEqual(1);
    // The prompt's secrets: the same tags in the first and the third (separate) request.
    for (const type of ['aws-access-key', 'aws-secret-key', 'jwt']) {
      const first = tagsOf(JSON.stringify(requests[0]!.body), type);
      expect(first.length, type).toBe(1);
      expect(tagsOf(JSON.stringify(requests[2]!.body), type)).toEqual(first);
    }
    expect(JSON.stringify(requests[1]!.body)).toMatch(/\[REDACTED:private-key:[0-9a-f]{8}\]/);
    expect(
      requests.every((r) =>
        /^Bearer \[REDACTED:|^\[REDACTED:/.test(r.headers.authorization ?? r.headers['x-api-key']!),
      ),
    ).toBe(true);
    const answer = eventsOf(events, 'exchange.end')[1]!;
    expect(JSON.stringify(answer.body)).toMatch(/\[REDACTED:stripe-key:[0-9a-f]{8}\]/);
  });
});
