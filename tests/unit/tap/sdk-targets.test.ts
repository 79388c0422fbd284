/**
 * The SDK layer's allow-list and the platform endpoints, as data: which files the module hooks wrap (and
 * which they must not), which URLs are Bedrock/Vertex model calls, which requests are signed.
 */
import { describe, expect, it } from 'vitest';
import { createEndpointMatcher } from '../../../src/exchange/endpoints.js';
import { isSignedRequest } from '../../../src/policy/rewrite/apply.js';
import { SDK_PACKAGES, clientKind, fileUrlPattern, targetFor } from '../../../src/tap/sdk/targets.js';

const packages = [...Object.keys(SDK_PACKAGES), 'anthropic-sdk-041'];
const nm = 'file:///app/node_modules';

describe('SDK hook allow-list', () => {
  const include = fileUrlPattern(packages);

  it('wraps only the SDK files that are patched, ESM and CJS builds, subpath imports included', () => {
    for (const file of [
      '@anthropic-ai/sdk/client.mjs',
      '@anthropic-ai/sdk/resources/messages/messages.mjs',
      '@anthropic-ai/sdk/resources/beta/messages/messages.js',
      'openai/resources/chat/completions/completions.mjs',
      'openai/resources/responses/responses.mjs',
      'openai/core.mjs',
      'anthropic-sdk-041/core.mjs',
    ]) {
      expect(include.test(`${nm}/${file}`), file).toBe(true);
    }
    for (const file of [
      '@anthropic-ai/sdk/index.mjs',
      '@anthropic-ai/sdk/resources/messages/batches.mjs',
      '@anthropic-ai/sdk/lib/MessageStream.mjs',
      'openai/resources/chat/completions/messages.mjs',
      'zod/index.js',
      'not-openai/client.mjs',
    ]) {
      expect(include.test(`${nm}/${file}`), file).toBe(false);
    }
    expect(include.test('file:///app/src/client.mjs')).toBe(false);
  });

  it('maps a hooked file to its target', () => {
    expect(targetFor('@anthropic-ai/sdk/resources/messages/messages.mjs', packages)).toMatchObject({
      prefix: 'messages',
      exportName: 'Messages',
    });
    expect(targetFor('@anthropic-ai/sdk/resources/beta/messages/messages.js', packages)).toMatchObject({
      prefix: 'beta.messages',
    });
    expect(targetFor('openai/resources/chat/completions/completions.js', packages)).toMatchObject({
      prefix: 'chat.completions',
      family: 'openai',
    });
    expect(targetFor('anthropic-sdk-041/core.js', packages)).toEqual({ kind: 'client' });
    expect(targetFor('@anthropic-ai/sdk/index.js', packages)).toBeUndefined();
    expect(targetFor('other/client.js', packages)).toBeUndefined();
  });

  it('tells client kinds apart by class, with the family as fallback', () => {
    class BaseAnthropic {}
    class AnthropicBedrock extends BaseAnthropic {}
    class Mine extends AnthropicBedrock {}
    expect(clientKind(new Mine(), 'anthropic')).toBe('anthropic-bedrock');
    expect(clientKind(new BaseAnthropic(), 'anthropic')).toBe('anthropic');
    expect(clientKind({}, 'openai')).toBe('openai');
  });
});

describe('platform endpoints', () => {
  const match = createEndpointMatcher();

  it('Bedrock invoke paths carry the model (URL-encoded ids decoded)', () => {
    expect(
      match('POST', new URL('https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-x-v1%3A0/invoke')),
    ).toMatchObject({ endpoint: 'anthropic.messages', model: 'anthropic.claude-x-v1:0' });
    expect(match('POST', new URL('https://gw.example/bedrock/model/m1/invoke-with-response-stream'))).toMatchObject({
      model: 'm1',
    });
    expect(match('GET', new URL('https://bedrock-runtime.us-east-1.amazonaws.com/model/m1/invoke'))).toBeNull();
  });

  it('Vertex rawPredict / streamRawPredict carry the model; count-tokens is count_tokens', () => {
    const base =
      'https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/anthropic/models';
    expect(match('POST', new URL(`${base}/claude-x@20250101:streamRawPredict`))).toMatchObject({
      endpoint: 'anthropic.messages',
      model: 'claude-x@20250101',
    });
    expect(match('POST', new URL(`${base}/claude-x:rawPredict`))).toMatchObject({ model: 'claude-x' });
    expect(match('POST', new URL(`${base}/count-tokens:rawPredict`))).toMatchObject({
      endpoint: 'anthropic.count_tokens',
    });
  });
});

describe('signed requests', () => {
  it('SigV4 authorization or x-amz signature headers; bearer keys are not signatures', () => {
    expect(
      isSignedRequest({
        authorization:
          'AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=00',
      }),
    ).toBe(true);
    expect(isSignedRequest({ 'x-amz-content-sha256': 'abc' })).toBe(true);
    expect(isSignedRequest({ authorization: 'Bearer bedrock-api-key' })).toBe(false);
    expect(isSignedRequest({ 'x-api-key': 'sk-ant' })).toBe(false);
  });
});
