import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createResponseObserver } from '../../../src/exchange/observer.js';
import {
  CHAT_TEXT,
  bytewise,
  chatEvents,
  observe,
  openaiFinalChatCompletion,
  plain,
  splitAt,
  sseBytes,
  sseText,
} from './helpers.js';

const bytes = sseBytes(chatEvents());

describe('OpenAI Chat Completions SSE', () => {
  it('reassembles the same ChatCompletion as the SDK’s ChatCompletionStream.finalChatCompletion()', async () => {
    const sdk = await openaiFinalChatCompletion([bytes]);
    const { summary } = observe('openai.chat', [bytes]);
    expect(summary.parseError).toBeUndefined();
    expect(plain(summary.body)).toStrictEqual(sdk);
    const message = (
      sdk as { choices: { message: { content: string; tool_calls: { function: { arguments: string } }[] } }[] }
    ).choices[0]!.message;
    expect(message.content).toBe(CHAT_TEXT.join(''));
    expect(message.tool_calls.map((t) => JSON.parse(t.function.arguments))).toEqual([
      { city: '東京' },
      { tz: 'Asia/Tokyo' },
    ]);
    expect(sdk.object).toBe('chat.completion');
  });

  it('normalises usage (prompt/completion/cached/reasoning) and reads finish_reason, id, model', () => {
    const { summary } = observe('openai.chat', [bytes]);
    expect(summary.usage).toEqual({
      input_tokens: 82,
      output_tokens: 41,
      cache_read_input_tokens: 64,
      reasoning_tokens: 12,
    });
    expect(summary.stopReason).toBe('tool_calls');
    expect(summary.responseId).toBe('chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT');
    expect(summary.responseModel).toBe('gpt-4o-2024-08-06');
    expect(summary.events).toBe(chatEvents().length);
    expect(summary.unknownEvents).toBeUndefined();
  });

  it('gives the same result at every two-chunk split, byte by byte and at random boundaries', () => {
    const whole = observe('openai.chat', [bytes]);
    for (let i = 1; i < bytes.length; i++) {
      const split = observe('openai.chat', splitAt(bytes, [i]));
      if (JSON.stringify(split) !== JSON.stringify(whole)) expect(split, `split at ${i}`).toStrictEqual(whole);
    }
    expect(observe('openai.chat', bytewise(bytes))).toStrictEqual(whole);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), (cuts) => {
        expect(observe('openai.chat', splitAt(bytes, cuts))).toStrictEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('reads CRLF streams the same', () => {
    const crlf = sseBytes(chatEvents(), '\r\n');
    expect(observe('openai.chat', bytewise(crlf))).toStrictEqual(observe('openai.chat', [bytes]));
  });

  it('fires onFirstContent at the first text (not the role-only delta) and onSemanticEnd at [DONE]', () => {
    const events = chatEvents();
    let first = 0;
    let end = 0;
    const o = createResponseObserver({
      endpoint: 'openai.chat',
      contentType: 'text/event-stream',
      status: 200,
      onFirstContent: () => first++,
      onSemanticEnd: () => end++,
    });
    events.forEach((e, i) => {
      o.write(new TextEncoder().encode(sseText([e])));
      expect(first, `after chunk ${i}`).toBe(i >= 1 ? 1 : 0);
      expect(end, `after chunk ${i}`).toBe(i === events.length - 1 ? 1 : 0);
    });
    o.finish();
    expect([first, end]).toEqual([1, 1]);
  });

  it('without [DONE] (cut stream) still has the content and usage but no semantic end', () => {
    const got = observe('openai.chat', [sseBytes(chatEvents({ done: false }))]);
    expect(got.semanticEnd).toBe(0);
    expect(got.summary.usage?.output_tokens).toBe(41);
    expect(plain(got.summary.body)).toStrictEqual(plain(observe('openai.chat', [bytes]).summary.body));
  });

  it('merges refusal and logprobs like the SDK', async () => {
    const base = { id: 'chatcmpl-2', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini' };
    const lp = (token: string) => ({ token, logprob: -0.25, bytes: [...Buffer.from(token)], top_logprobs: [] });
    const events = [
      {
        data: {
          ...base,
          choices: [
            { index: 0, delta: { role: 'assistant', content: null, refusal: '' }, logprobs: null, finish_reason: null },
          ],
        },
      },
      {
        data: {
          ...base,
          choices: [
            {
              index: 0,
              delta: { refusal: 'I can’t ' },
              logprobs: { content: null, refusal: [lp('I'), lp(' can’t ')] },
              finish_reason: null,
            },
          ],
        },
      },
      {
        data: {
          ...base,
          choices: [
            {
              index: 0,
              delta: { refusal: 'help with that.' },
              logprobs: { content: null, refusal: [lp('help')] },
              finish_reason: null,
            },
          ],
        },
      },
      { data: { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] } },
      { data: '[DONE]' },
    ];
    const b = sseBytes(events);
    const got = observe('openai.chat', [b]);
    expect(plain(got.summary.body)).toStrictEqual(await openaiFinalChatCompletion([b]));
    expect(got.firstContent).toBe(1);
    const choice = (
      got.summary.body as { choices: { message: { refusal: string }; logprobs: { refusal: unknown[] } }[] }
    ).choices[0]!;
    expect(choice.message.refusal).toBe('I can’t help with that.');
    expect(choice.logprobs.refusal).toHaveLength(3);
  });

  it('reads an in-stream error chunk into summary.error', () => {
    const events = [
      chatEvents()[0]!,
      { data: { error: { message: 'The server had an error', type: 'server_error', code: null } } },
    ];
    const { summary } = observe('openai.chat', [sseBytes(events)]);
    expect(summary.error).toEqual({ type: 'server_error', message: 'The server had an error' });
  });

  it('truncates content and arguments at maxCaptureBytes but keeps usage and finish_reason', () => {
    const full = observe('openai.chat', [bytes]).summary;
    const small = observe('openai.chat', [bytes], { maxCaptureBytes: 40 }).summary;
    expect(small.truncated).toBe(true);
    expect(small.usage).toEqual(full.usage);
    expect(small.stopReason).toBe('tool_calls');
    expect(small.events).toBe(full.events);
    const content = (small.body as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
    expect(CHAT_TEXT.join('').startsWith(content)).toBe(true);
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(40);
    expect(content.length).toBeGreaterThan(20);
  });

  it('accepts OpenAI-compatible servers that stream reasoning_content and omit tool call indexes', () => {
    const base = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'deepseek-reasoner' };
    const ch = (delta: unknown, finish: string | null = null) => ({
      data: { ...base, choices: [{ index: 0, delta, finish_reason: finish }] },
    });
    const events = [
      ch({ role: 'assistant', reasoning_content: 'Think ' }),
      ch({ reasoning_content: 'hard.' }),
      ch({ tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":' } }] }),
      ch({ tool_calls: [{ function: { arguments: '1}' } }] }),
      ch({ tool_calls: [{ id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } }] }),
      ch({}, 'tool_calls'),
      { data: '[DONE]' },
    ];
    const { summary } = observe('openai.chat', [sseBytes(events)]);
    const message = (summary.body as { choices: { message: Record<string, unknown> }[] }).choices[0]!.message;
    expect(message.reasoning_content).toBe('Think hard.');
    expect(message.tool_calls).toEqual([
      { id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } },
      { id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } },
    ]);
  });
});

describe('OpenAI Chat Completions JSON bodies', () => {
  it('summarises a ChatCompletion', () => {
    const body = {
      id: 'chatcmpl-9',
      object: 'chat.completion',
      created: 2,
      model: 'gpt-4.1',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Salut ✋', refusal: null },
          logprobs: null,
          finish_reason: 'length',
        },
      ],
      usage: { prompt_tokens: 9, completion_tokens: 5, total_tokens: 14, prompt_tokens_details: { cached_tokens: 0 } },
    };
    const { summary } = observe('openai.chat', [new TextEncoder().encode(JSON.stringify(body))], {
      contentType: 'application/json',
    });
    expect(summary).toStrictEqual({
      body,
      events: 0,
      usage: { input_tokens: 9, output_tokens: 5, cache_read_input_tokens: 0 },
      stopReason: 'length',
      responseId: 'chatcmpl-9',
      responseModel: 'gpt-4.1',
    });
  });

  it('reads an error body', () => {
    const body = {
      error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' },
    };
    const { summary } = observe('openai.chat', [new TextEncoder().encode(JSON.stringify(body))], {
      contentType: 'application/json; charset=utf-8',
      status: 429,
    });
    expect(summary.error).toEqual({ type: 'requests', message: 'Rate limit reached' });
    expect(summary.body).toEqual(body);
  });
});

describe('OpenAI Chat Completions first content', () => {
  it('fires at the first tool-call arguments, not at the chunk that only names the call', () => {
    const events = chatEvents().filter((e) => {
      const delta = (e.data as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta;
      return !delta?.content;
    });
    let first = 0;
    const o = createResponseObserver({
      endpoint: 'openai.chat',
      contentType: 'text/event-stream',
      status: 200,
      onFirstContent: () => first++,
    });
    const seen: number[] = [];
    for (const e of events) {
      o.write(new TextEncoder().encode(sseText([e])));
      seen.push(first);
    }
    // role chunk, name chunk (arguments ''), then '{"city": ' — the third chunk is the first content.
    expect(seen.slice(0, 4)).toEqual([0, 0, 1, 1]);
    expect(first).toBe(1);
  });
});

describe('OpenAI Chat Completions unknown events', () => {
  it('records a named or typed event as unknown, and still merges it as the SDK does', () => {
    const events = chatEvents();
    events.splice(2, 0, {
      event: 'future_event_type',
      data: { type: 'future_event_type', object: 'chat.completion.chunk', choices: [] },
    });
    const { summary } = observe('openai.chat', [sseBytes(events)]);
    expect(summary.unknownEvents).toEqual(['future_event_type']);
    expect(summary.stopReason).toBe('tool_calls');
    expect(summary.parseError).toBeUndefined();
  });
});
