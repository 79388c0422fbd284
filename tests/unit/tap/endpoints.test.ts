import { describe, expect, it } from 'vitest';
import { createEndpointMatcher } from '../../../src/exchange/endpoints.js';

const match = createEndpointMatcher([{ host: 'llm.internal' }, { path: '/api/generate' }]);
const endpointOf = (method: string, url: string) => match(method, new URL(url))?.endpoint ?? null;

describe('endpoint matcher', () => {
  it.each([
    ['https://api.anthropic.com/v1/messages', 'anthropic.messages'],
    ['https://api.anthropic.com/v1/messages?beta=true', 'anthropic.messages'],
    ['https://api.anthropic.com/v1/messages/count_tokens?beta=true', 'anthropic.count_tokens'],
    ['https://gateway.example/anthropic/v1/messages', 'anthropic.messages'],
    ['https://api.openai.com/v1/chat/completions', 'openai.chat'],
    ['https://x.openai.azure.com/openai/deployments/gpt/chat/completions?api-version=1', 'openai.chat'],
    ['https://api.openai.com/v1/responses', 'openai.responses'],
    ['https://api.anthropic.com/v1/messages/', 'anthropic.messages'],
    ['https://gateway.example/openai/chat/completions//', 'openai.chat'],
    ['http://llm.internal/anything', 'custom'],
    ['http://other.host/api/generate/stream', 'custom'],
  ])('POST %s → %s', (url, endpoint) => {
    expect(endpointOf('POST', url)).toBe(endpoint);
  });

  it.each([
    ['POST', 'https://api.anthropic.com/v1/models'],
    ['GET', 'https://api.anthropic.com/v1/messages'],
    ['HEAD', 'http://127.0.0.1:8080/'],
    ['POST', 'https://api.openai.com/v1/responses/resp_123/cancel'],
    ['POST', 'https://api.anthropic.com/api/claude_code/metrics'],
    ['POST', 'https://api.anthropic.com/v1/messagesx'],
    ['POST', 'https://api.openai.com/v1/responses/x'],
  ])('%s %s is not a model call', (method, url) => {
    expect(endpointOf(method, url)).toBeNull();
  });

  it('gives provider and OpenTelemetry operation', () => {
    expect(match('POST', new URL('https://a/v1/messages'))).toEqual({
      endpoint: 'anthropic.messages',
      provider: 'anthropic',
      operation: 'chat',
    });
    expect(match('POST', new URL('https://a/v1/messages/count_tokens'))?.operation).toBe('count_tokens');
  });

  it("records a warm-up `HEAD /` of the agent's Anthropic base URL, and no other HEAD", () => {
    const withBase = createEndpointMatcher([], { ANTHROPIC_BASE_URL: 'http://127.0.0.1:4000' });
    expect(withBase('HEAD', new URL('http://127.0.0.1:4000/'))).toEqual({
      endpoint: 'anthropic.warmup',
      provider: 'anthropic',
      operation: 'warmup',
    });
    expect(withBase('HEAD', new URL('https://api.anthropic.com/'))?.endpoint).toBe('anthropic.warmup');
    expect(withBase('HEAD', new URL('http://127.0.0.1:5000/'))).toBeNull();
    expect(withBase('HEAD', new URL('http://127.0.0.1:4000/v1/messages'))).toBeNull();
    expect(withBase('GET', new URL('http://127.0.0.1:4000/'))).toBeNull();
  });

  it('answers again from its last answer only for the same URL object and method', () => {
    const url = new URL('https://a/v1/messages');
    expect(match('POST', url)?.endpoint).toBe('anthropic.messages');
    expect(match('GET', url)).toBeNull();
    expect(match('POST', url)?.endpoint).toBe('anthropic.messages');
    expect(match('POST', new URL('https://a/v1/chat/completions'))?.endpoint).toBe('openai.chat');
    expect(match('POST', url)?.endpoint).toBe('anthropic.messages');
  });
});
