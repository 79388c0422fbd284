import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createResponseObserver } from '../../../src/exchange/observer.js';
import type { Endpoint, ResponseSummary } from '../../../src/exchange/types.js';
import { anthropicEvents, chatEvents, observe, responseOf, responsesEvents, splitAt, sseBytes } from './helpers.js';

const ENDPOINTS: Endpoint[] = [
  'anthropic.messages',
  'anthropic.count_tokens',
  'openai.chat',
  'openai.responses',
  'custom',
];
const CONTENT_TYPES = ['text/event-stream', 'application/json', 'text/plain', 'text/html', null];
const enc = (s: string) => new TextEncoder().encode(s);

describe('never throws', () => {
  it('on random bytes, for every endpoint and content type, with throwing callbacks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ENDPOINTS),
        fc.constantFrom(...CONTENT_TYPES),
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 12 }),
        (endpoint, contentType, chunks) => {
          const o = createResponseObserver({
            endpoint,
            contentType,
            status: 200,
            onFirstContent: () => {
              throw new Error('callback');
            },
            onSemanticEnd: () => {
              throw new Error('callback');
            },
          });
          for (const c of chunks) o.write(c);
          const s = o.finish();
          expect(typeof s.events).toBe('number');
          expect(() => JSON.stringify(s)).not.toThrow();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('on well-formed SSE carrying hostile event payloads', () => {
    const types = [
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
      'error',
      'response.created',
      'response.output_item.added',
      'response.output_item.done',
      'response.output_text.delta',
      'response.content_part.added',
      'response.content_part.done',
      'response.reasoning_summary_part.added',
      'response.output_text.annotation.added',
      'response.function_call_arguments.done',
      'response.completed',
    ];
    const weird = fc.oneof(fc.jsonValue(), fc.constant(null), fc.integer({ min: -3, max: 3 }), fc.string());
    const payload = fc.oneof(
      fc.jsonValue(),
      fc.record({
        type: fc.constantFrom(...types),
        index: weird,
        output_index: weird,
        content_index: weird,
        summary_index: weird,
        annotation_index: weird,
        message: fc.oneof(weird, fc.record({ content: weird, usage: weird })),
        content_block: fc.oneof(
          weird,
          fc.record({
            type: fc.constantFrom('text', 'tool_use', 'thinking', 'fallback'),
            text: weird,
            input: weird,
            to: weird,
          }),
        ),
        delta: fc.oneof(
          weird,
          fc.record({
            type: fc.constantFrom('text_delta', 'input_json_delta', 'thinking_delta', 'citations_delta', 'x'),
            text: weird,
            partial_json: weird,
          }),
        ),
        item: fc.oneof(
          weird,
          fc.record({ type: fc.constantFrom('message', 'function_call', 'reasoning'), content: weird, summary: weird }),
        ),
        part: weird,
        response: fc.oneof(weird, fc.record({ output: weird, usage: weird, status: weird })),
        usage: weird,
        choices: fc.oneof(
          weird,
          fc.array(
            fc.record({
              index: weird,
              delta: fc.oneof(weird, fc.record({ content: weird, tool_calls: weird, role: weird })),
              logprobs: weird,
            }),
          ),
        ),
      }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...ENDPOINTS),
        fc.array(
          fc.record({ event: fc.option(fc.constantFrom(...types, 'ping'), { nil: undefined }), data: payload }),
          { maxLength: 15 },
        ),
        fc.nat({ max: 100 }),
        (endpoint, events, cut) => {
          const b = sseBytes(events.map((e) => ({ ...e, data: JSON.stringify(e.data) })));
          const { summary } = observe(endpoint, splitAt(b, [cut]), { maxCaptureBytes: 300 });
          expect(() => JSON.stringify(summary)).not.toThrow();
          // Odd payloads are skipped, not crashed on: the data is valid JSON, so no parse error.
          expect(summary.parseError).toBeUndefined();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('on a malformed event: parseError, the rest ignored, what came before kept', () => {
    const good = anthropicEvents();
    const text = new TextDecoder().decode(sseBytes(good.slice(0, 8)));
    const rest = new TextDecoder().decode(sseBytes(good.slice(8)));
    const { summary } = observe('anthropic.messages', [
      enc(`${text}event: content_block_delta\ndata: {"type": "content_blo\n\n${rest}`),
    ]);
    expect(summary.parseError).toMatch(/JSON/);
    expect(summary.events).toBe(9);
    expect((summary.body as { content: unknown[] }).content).toHaveLength(1);
    expect(summary.stopReason).toBeUndefined();
  });

  it('ignores writes after finish, and finish is idempotent', () => {
    const o = createResponseObserver({ endpoint: 'openai.chat', contentType: 'text/event-stream', status: 200 });
    const b = sseBytes(chatEvents());
    o.write(b.slice(0, 200));
    const first = o.finish();
    o.write(b.slice(200));
    expect(o.finish()).toBe(first);
    expect(first.stopReason).toBeUndefined();
  });
});

describe('plain bodies', () => {
  it('reassembles JSON split inside multi-byte characters at every byte', () => {
    const body = { type: 'error', error: { type: 'invalid_request_error', message: 'Ünïcödé 🚫 東京 — bad request' } };
    const b = enc(JSON.stringify(body));
    for (let i = 1; i < b.length; i++) {
      const { summary } = observe('anthropic.messages', splitAt(b, [i]), {
        contentType: 'application/json',
        status: 400,
      });
      expect(summary.body).toEqual(body);
      expect(summary.error).toEqual({ type: 'invalid_request_error', message: body.error.message });
    }
  });

  it('sets parseError on invalid JSON and keeps the text', () => {
    const { summary } = observe('openai.chat', [enc('{"choices": [')], { contentType: 'application/json' });
    expect(summary.parseError).toMatch(/invalid JSON/);
    expect(summary.body).toBe('{"choices": [');
  });

  it('turns an error status with a non-JSON body into an http error', () => {
    const { summary } = observe('openai.chat', [enc('<html>502 Bad Gateway</html>')], {
      contentType: 'text/html',
      status: 502,
    });
    expect(summary.error).toEqual({ type: 'http_502', message: '<html>502 Bad Gateway</html>' });
    expect(summary.body).toBe('<html>502 Bad Gateway</html>');
    expect(summary.parseError).toBeUndefined();
  });

  it('has an undefined body and no error for an empty 200', () => {
    const { summary } = observe('openai.chat', [], { contentType: 'application/json' });
    expect(summary).toStrictEqual({ body: undefined, events: 0 });
  });

  it('caps a JSON body at maxCaptureBytes (truncated, nothing parsed)', () => {
    const big = enc(JSON.stringify({ id: 'x', object: 'chat.completion', choices: [], pad: 'p'.repeat(5000) }));
    const { summary } = observe('openai.chat', splitAt(big, [100, 1000]), {
      contentType: 'application/json',
      maxCaptureBytes: 1024,
    });
    expect(summary.truncated).toBe(true);
    expect(summary.body).toBeUndefined();
    expect(summary.parseError).toBeUndefined();
  });

  it('reads a JSON error sent with an SSE content type', () => {
    const { summary } = observe(
      'anthropic.messages',
      [enc('{"type":"error","error":{"type":"api_error","message":"Internal"}}')],
      {
        status: 500,
      },
    );
    expect(summary.error).toEqual({ type: 'api_error', message: 'Internal' });
    expect(summary.events).toBe(0);
  });
});

describe('detection', () => {
  it('sniffs SSE and JSON when the content type is missing', () => {
    const sse = observe('openai.chat', splitAt(sseBytes(chatEvents()), [2, 3, 9]), { contentType: null }).summary;
    expect(sse.stopReason).toBe('tool_calls');
    expect(sse.events).toBe(chatEvents().length);
    const json = observe('anthropic.count_tokens', [enc('  {"input_tokens": 7}')], { contentType: null }).summary;
    expect(json.body).toEqual({ input_tokens: 7 });
    const text = observe('custom', [enc('hello')], { contentType: null }).summary;
    expect(text.body).toBe('hello');
  });

  it('recognises the protocol of a custom endpoint’s stream from its first event', () => {
    const asAnthropic = observe('custom', [sseBytes(anthropicEvents())]).summary;
    expect(asAnthropic).toStrictEqual(observe('anthropic.messages', [sseBytes(anthropicEvents())]).summary);
    const asChat = observe('custom', [sseBytes(chatEvents())]).summary;
    expect(asChat).toStrictEqual(observe('openai.chat', [sseBytes(chatEvents())]).summary);
    const asResponses = observe('custom', [sseBytes(responsesEvents())]).summary;
    expect(asResponses.body).toStrictEqual(responseOf(responsesEvents(), 'response.completed'));
    const generic = observe('custom', [
      sseBytes([{ event: 'tick', data: { n: 1 } }, { data: 'plain text' }, { data: '[DONE]' }]),
    ]);
    expect(generic.summary.body).toEqual([{ event: 'tick', data: { n: 1 } }, { data: 'plain text' }]);
    expect(generic.semanticEnd).toBe(1);
  });
});

describe('memory stays bounded by the capture limit', () => {
  it('keeps at most maxCaptureBytes of a long stream, and still reads its end', () => {
    const head = anthropicEvents()[0]!;
    const delta = (t: string) => ({
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } },
    });
    const chunkText = 'All work and no play makes Jack a dull boy. ✍️ '.repeat(20);
    const start = sseBytes([
      head,
      {
        event: 'content_block_start',
        data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      },
    ]);
    const middle = sseBytes([delta(chunkText)]);
    const end = sseBytes([
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
      {
        event: 'message_delta',
        data: {
          type: 'message_delta',
          delta: { stop_reason: 'max_tokens', stop_sequence: null },
          usage: { output_tokens: 64000 },
        },
      },
      { event: 'message_stop', data: { type: 'message_stop' } },
    ]);
    const o = createResponseObserver({
      endpoint: 'anthropic.messages',
      contentType: 'text/event-stream',
      status: 200,
      maxCaptureBytes: 64 * 1024,
    });
    o.write(start);
    const n = 20_000; // ~20 MB of stream
    for (let i = 0; i < n; i++) o.write(middle);
    o.write(end);
    const s: ResponseSummary = o.finish();
    const text = (s.body as { content: { text: string }[] }).content[0]!.text;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(64 * 1024);
    expect(text.length).toBeGreaterThan((60 * 1024) / 3);
    expect(s.truncated).toBe(true);
    expect(s.events).toBe(n + 5);
    expect(s.stopReason).toBe('max_tokens');
    expect(s.usage?.output_tokens).toBe(64000);
  });

  it('drops an event larger than the parser may buffer, and goes on with the next ones', () => {
    const max = 1000;
    const huge = 'x'.repeat(2 * max + 1024 * 1024 + 10);
    const events = anthropicEvents();
    const stop = events.findIndex((e) => (e.data as { type: string }).type === 'message_delta');
    const before = sseBytes(events.slice(0, 3));
    const bigEvent = enc(
      `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"${huge}"}}\n\n`,
    );
    const after = sseBytes(events.slice(stop));
    const { summary, semanticEnd } = observe(
      'anthropic.messages',
      [before, ...splitAt(bigEvent, [50_000, 900_000, 1_500_000]), after],
      {
        maxCaptureBytes: max,
      },
    );
    expect(summary.truncated).toBe(true);
    expect(summary.parseError).toBeUndefined();
    expect(summary.stopReason).toBe('tool_use');
    expect(semanticEnd).toBe(1);
  });
});

describe('finish() from inside onSemanticEnd', () => {
  it('returns the complete summary, without a parse error, and ignores what follows', () => {
    const b = sseBytes([...anthropicEvents(), { event: 'ping', data: { type: 'ping' } }]);
    let inside: ResponseSummary | undefined;
    const o = createResponseObserver({
      endpoint: 'anthropic.messages',
      contentType: 'text/event-stream',
      status: 200,
      onSemanticEnd: () => {
        inside = o.finish();
      },
    });
    o.write(b); // message_stop and a ping after it, in one chunk
    expect(inside).toBeDefined();
    expect(inside!.parseError).toBeUndefined();
    expect(inside!.stopReason).toBe('tool_use');
    expect(inside!.events).toBe(anthropicEvents().length);
    expect(o.finish()).toBe(inside);
  });
});

describe('sniffing with a bare-CR stream', () => {
  it('still reads the last event when the unlabelled body ends in CR', () => {
    const b = sseBytes(chatEvents(), '\r');
    const { summary, semanticEnd } = observe('openai.chat', [b], { contentType: null });
    expect(summary.events).toBe(chatEvents().length);
    expect(semanticEnd).toBe(1);
  });
});
