import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RESP_ARGS,
  RESP_TEXT,
  bytewise,
  observe,
  openaiFinalResponse,
  plain,
  responseOf,
  responsesEvents,
  responsesFinalOutput,
  splitAt,
  sseBytes,
} from './helpers.js';

const events = responsesEvents();
const bytes = sseBytes(events);

describe('OpenAI Responses API SSE', () => {
  it('uses the response of response.completed as the body', () => {
    const got = observe('openai.responses', [bytes]);
    expect(got.summary.body).toStrictEqual(responseOf(events, 'response.completed'));
    expect(got.summary.usage).toEqual({
      input_tokens: 320,
      output_tokens: 96,
      cache_read_input_tokens: 256,
      reasoning_tokens: 64,
    });
    expect(got.summary.stopReason).toBe('completed');
    expect(got.summary.responseId).toBe('resp_68af4030592c81938ec0a5fbab4a3e9f05438e46b5f69a3b');
    expect(got.summary.responseModel).toBe('gpt-5-2025-08-07');
    expect(got.summary.events).toBe(events.length);
    expect(got.summary.unknownEvents).toBeUndefined();
    expect([got.firstContent, got.semanticEnd]).toEqual([1, 1]);
  });

  it('agrees with the SDK’s ResponseStream.finalResponse()', async () => {
    const sdk = await openaiFinalResponse([bytes]);
    expect(plain(observe('openai.responses', [bytes]).summary.body)).toStrictEqual(sdk);
  });

  it('reassembles the output from the events when the stream is cut before response.completed', async () => {
    const cut = sseBytes(responsesEvents('none'));
    const got = observe('openai.responses', [cut]);
    const body = got.summary.body as { output: unknown[]; status: string };
    expect(body.output).toStrictEqual(responsesFinalOutput());
    expect(body.status).toBe('in_progress');
    expect(got.semanticEnd).toBe(0);
    // The SDK's own snapshot of a stream that ended early has the same output.
    const sdk = await openaiFinalResponse([cut]);
    expect(plain(body)).toStrictEqual(sdk);
  });

  it('reassembles streamed text and arguments even without the .done events', () => {
    const deltasOnly = responsesEvents('none').filter((e) => {
      const t = (e.data as { type: string }).type;
      return !t.endsWith('.done');
    });
    const body = observe('openai.responses', [sseBytes(deltasOnly)]).summary.body as {
      output: [Record<string, unknown>, { content: { text: string }[] }, { arguments: string }];
    };
    expect(body.output[1].content[0]!.text).toBe(RESP_TEXT.join(''));
    expect(body.output[2].arguments).toBe(RESP_ARGS.join(''));
  });

  it('gives the same result at every two-chunk split, byte by byte and at random boundaries', () => {
    const whole = observe('openai.responses', [bytes]);
    for (let i = 1; i < bytes.length; i++) {
      const split = observe('openai.responses', splitAt(bytes, [i]));
      if (JSON.stringify(split) !== JSON.stringify(whole)) expect(split, `split at ${i}`).toStrictEqual(whole);
    }
    expect(observe('openai.responses', bytewise(bytes))).toStrictEqual(whole);
    const cut = sseBytes(responsesEvents('none'));
    const wholeCut = observe('openai.responses', [cut]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: cut.length - 1 }), { maxLength: 40 }), (cuts) => {
        expect(observe('openai.responses', splitAt(cut, cuts))).toStrictEqual(wholeCut);
      }),
      { numRuns: 200 },
    );
  });

  it('reads response.incomplete: stop reason is incomplete_details.reason', () => {
    const got = observe('openai.responses', [sseBytes(responsesEvents('incomplete'))]);
    expect(got.summary.stopReason).toBe('max_output_tokens');
    expect(got.semanticEnd).toBe(1);
  });

  it('reads response.failed into summary.error', () => {
    const got = observe('openai.responses', [sseBytes(responsesEvents('failed'))]);
    expect(got.summary.stopReason).toBe('failed');
    expect(got.summary.error).toEqual({ type: 'server_error', message: 'The model crashed.' });
    expect(got.semanticEnd).toBe(1);
  });

  it('reads an error event', () => {
    const list = [
      ...responsesEvents('none').slice(0, 3),
      {
        event: 'error',
        data: { type: 'error', code: 'rate_limit_exceeded', message: 'Slow down', param: null, sequence_number: 3 },
      },
    ];
    const got = observe('openai.responses', [sseBytes(list)]);
    expect(got.summary.error).toEqual({ type: 'rate_limit_exceeded', message: 'Slow down' });
    expect(got.summary.parseError).toBeUndefined();
  });

  it('records unknown event types and goes on', () => {
    const list = [...events];
    list.splice(5, 0, {
      event: 'response.brand_new_thing',
      data: { type: 'response.brand_new_thing', sequence_number: 99 },
    });
    const got = observe('openai.responses', [sseBytes(list)]);
    expect(got.summary.unknownEvents).toEqual(['response.brand_new_thing']);
    expect(got.summary.body).toStrictEqual(responseOf(events, 'response.completed'));
  });

  it('truncates reassembled text at maxCaptureBytes, and cuts a too-large completed response to fit', () => {
    const limit = 400;
    const cut = observe('openai.responses', [sseBytes(responsesEvents('none'))], { maxCaptureBytes: limit }).summary;
    expect(cut.truncated).toBe(true);
    const done = observe('openai.responses', [bytes], { maxCaptureBytes: limit }).summary;
    expect(done.truncated).toBe(true);
    expect(done.usage).toEqual(observe('openai.responses', [bytes]).summary.usage);
    expect(done.stopReason).toBe('completed');
    const body = done.body as { output: unknown; status: string; id: string };
    expect([body.status, body.id]).toEqual(['completed', 'resp_68af4030592c81938ec0a5fbab4a3e9f05438e46b5f69a3b']);
    let stringBytes = 0;
    JSON.stringify(body.output, (_k, v: unknown) => {
      if (typeof v === 'string') stringBytes += Buffer.byteLength(v);
      return v;
    });
    expect(stringBytes).toBeLessThanOrEqual(limit);
  });
});

describe('OpenAI Responses API JSON bodies', () => {
  it('summarises a Response', () => {
    const body = responseOf(events, 'response.completed');
    const { summary } = observe('openai.responses', [new TextEncoder().encode(JSON.stringify(body))], {
      contentType: 'application/json',
    });
    expect(summary.body).toStrictEqual(body);
    expect(summary.usage).toEqual({
      input_tokens: 320,
      output_tokens: 96,
      cache_read_input_tokens: 256,
      reasoning_tokens: 64,
    });
    expect(summary.stopReason).toBe('completed');
    expect(summary.error).toBeUndefined();
  });
});
