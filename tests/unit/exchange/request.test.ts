import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeRequest } from '../../../src/exchange/request.js';

describe('describeRequest', () => {
  it('reads an Anthropic Messages request', () => {
    const body = {
      model: 'claude-opus-4-1',
      max_tokens: 4096,
      stream: true,
      system: 'Be terse.',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: 'weather?' },
      ],
      tools: [{ name: 'get_weather', input_schema: { type: 'object' } }],
    };
    expect(describeRequest('anthropic.messages', body)).toEqual({
      model: 'claude-opus-4-1',
      stream: true,
      maxTokens: 4096,
      messages: 3,
      tools: 1,
    });
  });

  it('reads count_tokens (no stream, no max_tokens)', () => {
    expect(
      describeRequest('anthropic.count_tokens', { model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    ).toEqual({
      model: 'm',
      stream: false,
      messages: 1,
    });
  });

  it('reads Chat Completions: max_completion_tokens first, then max_tokens', () => {
    const base = {
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 's' },
        { role: 'user', content: 'u' },
      ],
      tools: [{}, {}],
    };
    expect(describeRequest('openai.chat', { ...base, max_completion_tokens: 100, max_tokens: 50 })).toEqual({
      model: 'gpt-4o',
      stream: false,
      maxTokens: 100,
      messages: 2,
      tools: 2,
    });
    expect(describeRequest('openai.chat', { ...base, max_tokens: 50, stream: true }).maxTokens).toBe(50);
  });

  it('reads the Responses API: input array length, or 1 for a string', () => {
    expect(
      describeRequest('openai.responses', { model: 'gpt-5', input: 'hi', max_output_tokens: 256, stream: true }),
    ).toEqual({
      model: 'gpt-5',
      stream: true,
      maxTokens: 256,
      messages: 1,
    });
    expect(describeRequest('openai.responses', { model: 'gpt-5', input: [{}, {}, {}, {}], tools: [] })).toEqual({
      model: 'gpt-5',
      stream: false,
      messages: 4,
      tools: 0,
    });
  });

  it('reads a custom endpoint by whichever field is there', () => {
    expect(describeRequest('custom', { model: 'llama', max_output_tokens: 9, input: 'x' })).toEqual({
      model: 'llama',
      stream: false,
      maxTokens: 9,
      messages: 1,
    });
  });

  it('treats stream as true only when it is true', () => {
    expect(describeRequest('openai.chat', { stream: 'yes' }).stream).toBe(false);
  });

  it('never throws, whatever the body', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('boom');
        },
      },
    );
    expect(describeRequest('openai.chat', hostile)).toEqual({ stream: false });
    fc.assert(
      fc.property(
        fc.constantFrom('anthropic.messages', 'openai.chat', 'openai.responses', 'custom' as const),
        fc.anything(),
        (endpoint, body) => {
          const facts = describeRequest(endpoint, body);
          expect(typeof facts.stream).toBe('boolean');
        },
      ),
    );
    expect(describeRequest('anthropic.messages', undefined)).toEqual({ stream: false });
    expect(describeRequest('anthropic.messages', 'not json')).toEqual({ stream: false });
  });
});
