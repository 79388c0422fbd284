/**
 * A secret the model streams back in pieces (Anthropic `content_block_delta` text deltas, OpenAI
 * Chat chunk deltas and Responses text deltas) never reaches disk: the log keeps the reply as the
 * SDK assembles it, redacted whole, never the raw deltas. The recall corpus is the reply, split
 * one character per delta (a split at every position of every secret) and in uneven pieces.
 * Real SDK apps under the loader (needs `npm run build`), against the mock API.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { runSdkApp } from '../../helpers/sdk-app.js';
import { recallCorpus } from './corpus.js';
import { testSeed } from '../../helpers/seed.js';

const seed = testSeed();
const secrets = recallCorpus(seed).planted.filter((p) => !/[\r\n]/.test(p.sample));
const reply = `Found these in the repo:\n${secrets.map((p) => `- ${p.sample}`).join('\n')}\nDone.`;

/** Every file under `dir`, as text; gzip members unpacked. */
function written(dir: string): string {
  let text = '';
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const bytes = readFileSync(join(entry.parentPath, entry.name));
    text += (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
  }
  return text;
}

let mock: MockServer;
afterAll(() => mock?.close());

describe.each([
  ['one character per delta', 1_000_000],
  ['seven uneven deltas', 7],
])(`a streamed reply holding the recall corpus, %s (seed ${seed})`, (_name, textChunks) => {
  beforeAll(async () => {
    await mock?.close();
    mock = await startMock({ script: () => ({ text: reply }), textChunks });
  });

  it.each(['anthropic-scenarios.mjs', 'openai-scenarios.mjs'])(
    '%s: no secret on disk',
    async (app) => {
      const { run, results } = await runSdkApp(app, mock, { timeoutMs: 60_000 });
      // The secrets really reached the agent, whole (else their absence from the log proves nothing).
      const seen = JSON.stringify(results);
      expect(secrets.filter((p) => !seen.includes(JSON.stringify(p.secret).slice(1, -1))).map((p) => p.rule)).toEqual(
        [],
      );
      const disk = written(run.home);
      // The replies themselves are on disk (redacted), so an absent secret is a redacted one.
      const logged = disk.split('Found these in the repo:').length - 1;
      expect(logged).toBeGreaterThanOrEqual(2);
      const leaks = secrets.filter(
        (p) => disk.includes(p.secret) || disk.includes(JSON.stringify(p.secret).slice(1, -1)),
      );
      expect(
        leaks.map((p) => `${p.rule}: ${p.secret}`),
        `seed ${seed}`,
      ).toEqual([]);
    },
    90_000,
  );
});
