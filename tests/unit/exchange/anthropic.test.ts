import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createResponseObserver } from '../../../src/exchange/observer.js';
import {
  ANSWER,
  TOOL_JSON,
  anthropicEvents,
  anthropicFinalMessage,
  bytewise,
  observe,
  plain,
  splitAt,
  sseBytes,
  sseText,
} from './helpers.js';

const bytes = sseBytes(anthropicEvents());

describe('Anthropic Messages SSE', () => {
  it('reassembles the same Message as the SDK’s MessageStream.finalMessage()', async () => {
    const sdk = await anthropicFinalMessage([bytes]);
    const { summary } = observe('anthropic.messages', [bytes]);
    expect(summary.parseError).toBeUndefined();
    expect(plain(summary.body)).toStrictEqual(sdk);
    // Sanity: the comparison is about real content, not two empty objects.
    const content = (sdk as { content: Record<string, unknown>[] }).content;
    expect(content.map((b) => b.type)).toEqual([
      'thinking',
      'text',
      'server_tool_use',
      'web_search_tool_result',
      'text',
      'tool_use',
    ]);
    expect(content[1]!.text).toBe(ANSWER.join(''));
    expect(content[5]!.input).toEqual(JSON.parse(TOOL_JSON.join('')));
  });

  it('summarises usage (message_delta merged over message_start), stop reason, id, model and events', () => {
    const { summary } = observe('anthropic.messages', [bytes]);
    expect(summary.usage).toEqual({
      input_tokens: 25,
      output_tokens: 187,
      cache_read_input_tokens: 1200,
      cache_creation_input_tokens: 0,
    });
    expect(summary.stopReason).toBe('tool_use');
    expect(summary.responseId).toBe('msg_01XFDUDYJgAACzvnptvVoYEL');
    expect(summary.responseModel).toBe('claude-sonnet-5-5-20250929');
    expect(summary.events).toBe(anthropicEvents().length);
    expect(summary.unknownEvents).toEqual(['future_event']);
    expect(summary.truncated).toBeUndefined();
    expect(summary.error).toBeUndefined();
  });

  it('gives the same result at every two-chunk split and byte by byte', async () => {
    const whole = observe('anthropic.messages', [bytes]).summary;
    for (let i = 1; i < bytes.length; i++) {
      const split = observe('anthropic.messages', splitAt(bytes, [i])).summary;
      if (JSON.stringify(split) !== JSON.stringify(whole)) expect(split, `split at ${i}`).toStrictEqual(whole);
    }
    expect(observe('anthropic.messages', bytewise(bytes)).summary).toStrictEqual(whole);
    // And the SDK agrees with itself when fed byte by byte (the fixture is chunking-neutral).
    expect(await anthropicFinalMessage(bytewise(bytes))).toStrictEqual(plain(whole.body));
  });

  it('gives the same result at random chunk boundaries', () => {
    const whole = observe('anthropic.messages', [bytes]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), (cuts) => {
        const got = observe('anthropic.messages', splitAt(bytes, cuts));
        expect(got).toStrictEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('reads CRLF line endings (and bare CR) the same', () => {
    const whole = observe('anthropic.messages', [bytes]).summary;
    const crlf = sseBytes(anthropicEvents(), '\r\n');
    const cr = sseBytes(anthropicEvents(), '\r');
    for (const b of [crlf, cr]) {
      expect(observe('anthropic.messages', [b]).summary).toStrictEqual(whole);
      // Every split, so that a CR and its LF land in different chunks too.
      for (let i = 1; i < b.length; i += 7) {
        expect(observe('anthropic.messages', splitAt(b, [i, i + 1])).summary).toStrictEqual(whole);
      }
    }
  });

  it('fires onFirstContent once, at the first content delta, and onSemanticEnd once, at message_stop', () => {
    const events = anthropicEvents();
    const firstDelta = events.findIndex((e) => (e.data as { type: string }).type === 'content_block_delta');
    const stop = events.findIndex((e) => (e.data as { type: string }).type === 'message_stop');
    let first = 0;
    let end = 0;
    const o = createResponseObserver({
      endpoint: 'anthropic.messages',
      contentType: 'text/event-stream; charset=utf-8',
      status: 200,
      onFirstContent: () => first++,
      onSemanticEnd: () => end++,
    });
    const enc = new TextEncoder();
    events.forEach((e, i) => {
      o.write(enc.encode(sseText([e])));
      expect(first, `after event ${i}`).toBe(i >= firstDelta ? 1 : 0);
      expect(end, `after event ${i}`).toBe(i >= stop ? 1 : 0);
    });
    o.finish();
    expect([first, end]).toEqual([1, 1]);
  });

  it('does not fire onFirstContent for message_start, ping and empty blocks', () => {
    const events = anthropicEvents();
    const head = events.slice(0, 3); // message_start, ping, thinking block start (empty)
    const got = observe('anthropic.messages', [sseBytes(head)]);
    expect(got.firstContent).toBe(0);
    expect(got.semanticEnd).toBe(0);
  });

  it('turns an in-stream error event into summary.error, as the SDK surfaces it', async () => {
    const errBytes = sseBytes(anthropicEvents({ error: true }));
    const got = observe('anthropic.messages', [errBytes]);
    const sdkError = await anthropicFinalMessage([errBytes]).then(
      () => undefined,
      (e: unknown) => e as { error?: { error?: { type?: string; message?: string } } },
    );
    expect(sdkError?.error?.error).toBeDefined();
    expect(got.summary.error).toEqual({ type: sdkError!.error!.error!.type, message: sdkError!.error!.error!.message });
    // The partial message is still there; no stop reason was ever sent.
    expect((got.summary.body as { content: unknown[] }).content).toHaveLength(6);
    expect(got.summary.stopReason).toBeUndefined();
    expect(got.semanticEnd).toBe(0);
    expect(got.summary.parseError).toBeUndefined();
  });

  it('keeps input as {} for a tool_use without input deltas, and parses unstopped input at the end', () => {
    const events = [
      anthropicEvents()[0]!,
      {
        event: 'content_block_start',
        data: {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'tool_use', id: 't1', name: 'noop', input: {} },
        },
      },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
      {
        event: 'content_block_start',
        data: {
          type: 'content_block_start',
          index: 1,
          content_block: { type: 'tool_use', id: 't2', name: 'cut', input: {} },
        },
      },
      {
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"a": 1}' } },
      },
    ];
    const { summary } = observe('anthropic.messages', [sseBytes(events)]);
    const content = (summary.body as { content: { input: unknown }[] }).content;
    expect(content[0]!.input).toEqual({});
    expect(content[1]!.input).toEqual({ a: 1 });
  });

  it('truncates text and tool input at maxCaptureBytes but keeps usage, stop reason and event count', () => {
    const full = observe('anthropic.messages', [bytes]).summary;
    const small = observe('anthropic.messages', splitAt(bytes, [100, 2000]), { maxCaptureBytes: 700 }).summary;
    expect(small.truncated).toBe(true);
    expect(small.usage).toEqual(full.usage);
    expect(small.stopReason).toBe('tool_use');
    expect(small.events).toBe(full.events);
    expect(small.parseError).toBeUndefined();
    // What is kept is a prefix of the real content, within the limit.
    const kept = JSON.stringify(small.body);
    expect(Buffer.byteLength(kept)).toBeLessThan(Buffer.byteLength(JSON.stringify(full.body)));
    const fullBlocks = (full.body as { content: Record<string, string>[] }).content;
    const blocks = (small.body as { content: Record<string, string>[] }).content;
    let textBytes = 0;
    blocks.forEach((b, i) => {
      for (const key of ['text', 'thinking'] as const) {
        if (typeof b[key] === 'string') {
          expect(fullBlocks[i]![key]!.startsWith(b[key])).toBe(true);
          textBytes += Buffer.byteLength(b[key]);
        }
      }
    });
    expect(textBytes).toBeLessThanOrEqual(700);
    expect(blocks.length).toBeLessThan(fullBlocks.length);
  });

  it('cuts a tool input mid-JSON: keeps the raw prefix, never a made-up object', () => {
    const events = [
      anthropicEvents()[0]!,
      {
        event: 'content_block_start',
        data: {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'tool_use', id: 't', name: 'big', input: {} },
        },
      },
      ...['{"data": "', 'x'.repeat(300), '"}'].map((p) => ({
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: p } },
      })),
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    ];
    const { summary } = observe('anthropic.messages', [sseBytes(events)], { maxCaptureBytes: 200 });
    expect(summary.truncated).toBe(true);
    const input = (summary.body as { content: { input: unknown }[] }).content[0]!.input;
    expect(typeof input).toBe('string');
    expect(`{"data": "${'x'.repeat(300)}`.startsWith(input as string)).toBe(true);
  });

  it('mirrors the SDK when message_delta lacks fields (stop_sequence dropped, counters overwritten, never added)', async () => {
    const [start] = anthropicEvents();
    const events = [
      start!,
      {
        event: 'content_block_start',
        data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      },
      {
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'ok' } },
      },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
      {
        event: 'message_delta',
        data: {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn' },
          usage: { output_tokens: 3, cache_creation_input_tokens: 7 },
        },
      },
      { event: 'message_stop', data: { type: 'message_stop' } },
    ];
    const b = sseBytes(events);
    const { summary } = observe('anthropic.messages', [b]);
    expect(plain(summary.body)).toStrictEqual(await anthropicFinalMessage([b]));
    expect(summary.usage).toEqual({
      input_tokens: 25,
      output_tokens: 3,
      cache_read_input_tokens: 1200,
      cache_creation_input_tokens: 7,
    });
  });
});

describe('Anthropic JSON bodies', () => {
  const json = (
    value: unknown,
    status = 200,
    endpoint: 'anthropic.messages' | 'anthropic.count_tokens' = 'anthropic.messages',
  ) => {
    const b = new TextEncoder().encode(JSON.stringify(value));
    // Split inside the body to make sure plain bodies are assembled, including a multibyte character.
    return observe(endpoint, splitAt(b, [1, Math.floor(b.length / 2), b.length - 1]), {
      contentType: 'application/json',
      status,
    }).summary;
  };

  it('summarises a non-streamed Message', () => {
    const message = {
      id: 'msg_x',
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5',
      content: [{ type: 'text', text: 'Bonjour 👋' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 4, cache_creation_input_tokens: null, cache_read_input_tokens: null },
    };
    const summary = json(message);
    expect(summary).toStrictEqual({
      body: message,
      events: 0,
      usage: { input_tokens: 10, output_tokens: 4 },
      stopReason: 'end_turn',
      responseId: 'msg_x',
      responseModel: 'claude-haiku-4-5',
    });
  });

  it('reads an error body', () => {
    const body = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: 'req_1' };
    const summary = json(body, 529);
    expect(summary.error).toEqual({ type: 'overloaded_error', message: 'Overloaded' });
    expect(summary.body).toEqual(body);
  });

  it('reads count_tokens without calling it usage', () => {
    const summary = json({ input_tokens: 2095 }, 200, 'anthropic.count_tokens');
    expect(summary.body).toEqual({ input_tokens: 2095 });
    expect(summary.usage).toBeUndefined();
    expect(summary.error).toBeUndefined();
  });
});
