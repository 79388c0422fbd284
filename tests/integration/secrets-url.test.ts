/**
 * A token in a URL's path (a gateway that routes by it) is redacted even where a rule wants a quote, a space or `=`
 * before the token and finds only `/` (gitleaks' azure-ad-client-secret): the recorder, the real redactor and the
 * pino sink write the request's and the response's URL, and the file holds neither token; the rest of the path stays.
 */
import { describe, expect, it } from 'vitest';
import { Recorder } from '../../src/log/recorder.js';
import { openSink } from '../../src/log/sink.js';
import { createRedactor } from '../../src/policy/redact/index.js';
import { allFileText, scratch } from '../helpers/run.js';
import { ALNUM, prng, randomChars } from '../unit/redact/fixtures.js';
import { testSeed } from '../helpers/seed.js';

const seed = testSeed();
const rand = prng(seed);
// Azure AD client secret: 3 characters, a digit, `Q~`, 31–34 more.
const azure = `${randomChars(rand, 3, ALNUM)}8Q~${randomChars(rand, 34, `${ALNUM}_~.-`)}`;
const github = `ghp_${randomChars(rand, 36, ALNUM)}`;

describe(`URL paths (seed ${seed})`, () => {
  it('every segment is scanned on its own', () => {
    const dir = scratch('agenttap-url-');
    const sink = openSink({ sessionDir: dir, session: 's' });
    const recorder = new Recorder({ blobMinBytes: 256, notify: () => {} });
    recorder.attach({ sink, redactor: createRedactor({ key: Buffer.alloc(32, 3) }) });
    const url = `https://gw.example/route/${azure}/${github}/v1/messages?beta=true`;
    recorder.request({
      id: 'a',
      layer: 'fetch',
      match: { endpoint: 'anthropic.messages', provider: 'anthropic', operation: 'chat' },
      method: 'POST',
      url,
      headers: {},
      body: { model: 'm', messages: [] },
      bodyBytes: 1,
      stream: false,
    });
    recorder.response({ id: 'a', status: 404, headers: {}, ttfbMs: 1, url });
    recorder.drainSync();
    sink.flushSync();
    const written = allFileText(dir);
    expect(written).toContain('https://gw.example/route/[REDACTED:');
    expect(written).toContain('/v1/messages?beta=true');
    expect(written).not.toContain(github);
    expect(written).not.toContain(azure);
  });
});
