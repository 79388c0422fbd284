import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startMock, validateAnthropicRequest, type MockServer } from '../../../src/mock/index.js';

const base = { model: 'm', max_tokens: 100 };
const toolUse = (id: string) => ({ type: 'tool_use', id, name: 't', input: {} });
const toolResult = (id: string) => ({ type: 'tool_result', tool_use_id: id, content: 'ok' });

describe('validateAnthropicRequest', () => {
  it('accepts a valid tool conversation', () => {
    expect(
      validateAnthropicRequest({
        ...base,
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: [{ type: 'text', text: 'calling' }, toolUse('a'), toolUse('b')] },
          { role: 'user', content: [toolResult('a'), toolResult('b'), { type: 'text', text: 'go on' }] },
        ],
      }),
    ).toEqual([]);
  });

  it('accepts system messages inside messages (native Claude Code 2.1.3xx, per-turn-control beta) outside alternation and pairing, not first', () => {
    const sys = { role: 'system', content: [{ type: 'text', text: '# Environment' }] };
    expect(
      validateAnthropicRequest({
        ...base,
        messages: [
          { role: 'user', content: 'hi' },
          sys,
          { role: 'assistant', content: [toolUse('a')] },
          sys,
          { role: 'user', content: [toolResult('a')] },
        ],
      }),
    ).toEqual([]);
    expect(
      validateAnthropicRequest({ ...base, messages: [sys, { role: 'user', content: 'hi' }] }).some((p) =>
        p.startsWith('messages.0'),
      ),
    ).toBe(true);
  });

  it('rejects a first message that is not user, and non-alternating roles', () => {
    const problems = validateAnthropicRequest({
      ...base,
      messages: [
        { role: 'assistant', content: 'x' },
        { role: 'user', content: 'y' },
        { role: 'user', content: 'z' },
      ],
    });
    expect(problems.some((p) => p.includes('first message must use the "user" role'))).toBe(true);
    expect(problems.some((p) => p.includes('messages.2') && p.includes('alternate'))).toBe(true);
  });

  it('rejects a tool_result not answering the preceding assistant tool_use, and an unanswered tool_use', () => {
    const orphan = validateAnthropicRequest({
      ...base,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [toolUse('a')] },
        { role: 'user', content: [toolResult('zzz')] },
      ],
    });
    expect(orphan.some((p) => p.includes('unexpected tool_use_id') && p.includes('zzz'))).toBe(true);
    expect(orphan.some((p) => p.includes('without tool_result') && p.includes('a'))).toBe(true);

    const unanswered = validateAnthropicRequest({
      ...base,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [toolUse('a')] },
        { role: 'user', content: 'never mind' },
      ],
    });
    expect(unanswered).toHaveLength(1);
    expect(unanswered[0]).toMatch(/messages\.1: tool_use ids were found without tool_result blocks/);
  });

  it('rejects more than 4 cache_control markers, counting system, tools and messages', () => {
    const cc = { cache_control: { type: 'ephemeral' } };
    const body = {
      ...base,
      system: [{ type: 'text', text: 's', ...cc }],
      tools: [{ name: 't', input_schema: { type: 'object' }, ...cc }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a', ...cc },
            { type: 'text', text: 'b', ...cc },
          ],
        },
      ],
    };
    expect(validateAnthropicRequest(body)).toEqual([]);
    body.messages[0]!.content.push({ type: 'text', text: 'c', ...cc });
    expect(validateAnthropicRequest(body)).toEqual([
      'A maximum of 4 blocks with cache_control may be provided. Found 5.',
    ]);
  });

  it('rejects max_tokens <= thinking.budget_tokens', () => {
    const problems = validateAnthropicRequest({
      ...base,
      max_tokens: 1024,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(problems).toEqual([expect.stringContaining('max_tokens must be greater than thinking.budget_tokens')]);
  });

  it('names missing fields', () => {
    expect(validateAnthropicRequest({})).toEqual([
      expect.stringContaining('model'),
      expect.stringContaining('max_tokens'),
      expect.stringContaining('messages'),
    ]);
    expect(
      validateAnthropicRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { requireMaxTokens: false }),
    ).toEqual([]);
    expect(validateAnthropicRequest('nope')).toEqual(['request body must be a JSON object']);
  });
});

describe('strict mode', () => {
  let mock: MockServer | undefined;
  afterEach(async () => {
    await mock?.close();
    mock = undefined;
  });

  it('answers invalid requests with an Anthropic 400 naming the problem, valid ones normally', async () => {
    mock = await startMock({ strict: true });
    const client = new Anthropic({ apiKey: 'k', baseURL: mock.url, maxRetries: 0 });
    const err = await client.messages
      .create({
        model: 'm',
        max_tokens: 100,
        messages: [
          { role: 'user', content: 'a' },
          { role: 'user', content: 'b' },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    const apiErr = err as InstanceType<typeof Anthropic.BadRequestError>;
    expect(apiErr.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(apiErr.message).toMatch(/roles must alternate/);

    const thinkingErr = await client.messages
      .create({
        model: 'm',
        max_tokens: 500,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [{ role: 'user', content: 'a' }],
      })
      .catch((e: unknown) => e);
    expect((thinkingErr as Error).message).toMatch(/budget_tokens/);

    const countErr = await client.messages
      .countTokens({ model: 'm', messages: [{ role: 'assistant', content: 'a' }] })
      .catch((e: unknown) => e);
    expect(countErr).toBeInstanceOf(Anthropic.BadRequestError);

    await expect(
      client.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'ok' }] }),
    ).resolves.toMatchObject({
      type: 'message',
    });
    expect(mock.received.map((r) => r.status)).toEqual([400, 400, 400, 200]);
  });
});
