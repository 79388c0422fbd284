/**
 * A held body (src/exchange/held.ts) read later gives what a live observer gives as the bytes come, and its
 * semantic end (src/exchange/stream-end.ts) is found at the same chunk as the codec finds it.
 */
import { describe, expect, it } from 'vitest';
import { BodyHold, HOLD_MAX_BYTES, readHeld } from '../../../src/exchange/held.js';
import { createResponseObserver } from '../../../src/exchange/observer.js';
import type { Endpoint, ResponseSummary } from '../../../src/exchange/types.js';
import { type SseEvent, anthropicEvents, bytewise, chatEvents, responsesEvents, splitAt, sseBytes } from './helpers.js';

const enc = (s: string) => new TextEncoder().encode(s);

interface Run {
  summary: ResponseSummary;
  firstContentMs: number | undefined;
  /** The chunk at which the stream's semantic end was seen (-1: never). */
  endAt: number;
}

/** Chunk i arrives at 3 + 2i ms after the exchange's start; the headers at 1 ms. */
const arrival = (i: number) => 3 + 2 * i;

function live(endpoint: Endpoint, chunks: Uint8Array[], contentType = 'text/event-stream'): Run {
  let current = 0;
  let firstContentMs: number | undefined;
  let ended = false;
  let endAt = -1;
  const observer = createResponseObserver({
    endpoint,
    contentType,
    status: 200,
    maxCaptureBytes: 1 << 20,
    startedAt: 1,
    onFirstContent: () => {
      firstContentMs ??= current;
    },
    onSemanticEnd: () => {
      ended = true;
    },
  });
  // As the tap: the exchange ends after the chunk in which the semantic end came; later chunks are not read.
  for (let i = 0; i < chunks.length && !ended; i++) {
    current = arrival(i);
    observer.write(chunks[i]!, current);
    if (ended) endAt = i;
  }
  return { summary: observer.finish(), firstContentMs, endAt };
}

function held(endpoint: Endpoint, chunks: Uint8Array[], contentType = 'text/event-stream'): Run {
  const hold = BodyHold.for({ endpoint, contentType, status: 200, maxCaptureBytes: 1 << 20, startMs: 1 })!;
  let endAt = -1;
  for (let i = 0; i < chunks.length && endAt < 0; i++) {
    expect(hold.add(chunks[i]!, arrival(i))).toBe(true);
    if (hold.ended()) endAt = i;
  }
  const body = hold.body();
  const { summary, firstContentMs } = readHeld({ ...body, bytes: undefined }, body.bytes!);
  return { summary, firstContentMs, endAt };
}

/** A seeded choice of cut points. */
function cuts(length: number, count: number, seed: number): number[] {
  let s = seed;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out.push(1 + (s % (length - 1)));
  }
  return out;
}

const STREAMS: [string, Endpoint, SseEvent[]][] = [
  ['anthropic', 'anthropic.messages', anthropicEvents()],
  ['anthropic ending in an error', 'anthropic.messages', anthropicEvents({ error: true })],
  ['chat with [DONE]', 'openai.chat', chatEvents()],
  ['chat without [DONE]', 'openai.chat', chatEvents({ done: false })],
  ['responses completed', 'openai.responses', responsesEvents('completed')],
  ['responses incomplete', 'openai.responses', responsesEvents('incomplete')],
  ['responses failed', 'openai.responses', responsesEvents('failed')],
  ['responses without an end', 'openai.responses', responsesEvents('none')],
];

describe('a held body read later', () => {
  for (const [name, endpoint, events] of STREAMS)
    for (const eol of ['\n', '\r\n', '\r']) {
      it(`${name} (${JSON.stringify(eol)} line ends): the same summary, first content and end as live, however cut`, () => {
        const bytes = sseBytes(events, eol);
        const splits = [
          [bytes],
          bytewise(bytes),
          ...[1, 2, 3, 5, 8, 13].map((seed) => splitAt(bytes, cuts(bytes.length, 3 + seed * 4, seed))),
        ];
        for (const chunks of splits) {
          const want = live(endpoint, chunks);
          const got = held(endpoint, chunks);
          expect(got).toEqual(want);
        }
        // The fixtures do reach their end (or are built not to; a last CR is held back for a possible LF).
        const whole = live(endpoint, [bytes]);
        expect(whole.endAt).toBe(/without|error/.test(name) || eol === '\r' ? -1 : 0);
      });
    }

  it('a JSON body: the same summary', () => {
    const body = JSON.stringify({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [{ type: 'text', text: 'hé 東京' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 3, output_tokens: 2 },
    });
    const chunks = splitAt(enc(body), [5, 40, 41, 90]);
    const got = held('anthropic.messages', chunks, 'application/json');
    expect(got).toEqual(live('anthropic.messages', chunks, 'application/json'));
    expect(got.summary.usage?.input_tokens).toBe(3);
    expect(got.endAt).toBe(-1); // a JSON body ends with its bytes
  });
});

describe('text that looks like an end', () => {
  // Pieces of what the scanner looks for, in what a model may write: every stream below says them in its text, names
  // a tool after its own end event, and (chat) has an SSE comment that ends in `data: [DONE]`.
  const PIECES = [
    '"message_stop"',
    '"type":"message_stop"',
    'data: [DONE]',
    '\n\ndata: [DONE]\n\n',
    '[DONE]',
    '"',
    '\\',
    '"response.completed"',
    '{"type": "response.failed"}',
    'event: message_stop\n',
    '\r\n\r\n',
    'é',
    '東京',
    ' ',
  ];
  const text = (seed: number) => {
    let s = seed;
    let out = '';
    for (let i = 0; i < 12; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      out += PIECES[s % PIECES.length];
    }
    return out;
  };
  const streams = (t: string): [Endpoint, SseEvent[]][] => [
    [
      'anthropic.messages',
      [
        {
          event: 'message_start',
          data: { type: 'message_start', message: { id: 'm', role: 'assistant', content: [] } },
        },
        {
          event: 'content_block_start',
          data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        },
        {
          event: 'content_block_delta',
          data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } },
        },
        {
          event: 'content_block_start',
          data: {
            type: 'content_block_start',
            index: 1,
            content_block: { type: 'tool_use', id: 'toolu_1', name: 'message_stop', input: {} },
          },
        },
        { event: 'content_block_stop', data: { type: 'content_block_stop', index: 1 } },
        { event: 'message_stop', data: { type: 'message_stop' } },
      ],
    ],
    [
      'openai.chat',
      [
        { data: { id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: t } }] } },
        { data: '[DONE]' },
      ],
    ],
    [
      'openai.responses',
      [
        {
          event: 'response.output_text.delta',
          data: { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: t },
        },
        {
          event: 'response.output_item.added',
          data: {
            type: 'response.output_item.added',
            output_index: 1,
            item: { type: 'function_call', call_id: 'c1', name: 'response.completed', arguments: '' },
          },
        },
        {
          event: 'response.completed',
          data: { type: 'response.completed', response: { id: 'r', output: [], usage: { input_tokens: 1 } } },
        },
      ],
    ],
  ];

  it('ends each stream at its own end event only, with the same summary as live (seeded, 3 × 40 streams)', () => {
    for (let seed = 1; seed <= 40; seed++)
      for (const [endpoint, events] of streams(text(seed))) {
        const comment = endpoint === 'openai.chat' ? enc(': keep-alive data: [DONE]\n') : new Uint8Array(0);
        const bytes = Buffer.concat([comment, sseBytes(events)]);
        const chunks = splitAt(bytes, cuts(bytes.length, 6, seed));
        const got = held(endpoint, chunks);
        expect(got, `${endpoint} seed ${seed}`).toEqual(live(endpoint, chunks));
        // The end is in the last chunk: the text before it never ended the stream.
        const last = chunks.length - 1;
        const endIn = chunks.findIndex(
          (_, i) => Buffer.concat(chunks.slice(0, i + 1)).length > bytes.lastIndexOf('data:'),
        );
        expect(got.endAt, `${endpoint} seed ${seed}`).toBeGreaterThanOrEqual(endIn);
        expect(got.endAt).toBeLessThanOrEqual(last);
      }
  });
});

describe('the semantic end in the raw bytes', () => {
  const ends = (endpoint: Endpoint, text: string, at: number[] = []) => {
    const hold = BodyHold.for({
      endpoint,
      contentType: 'text/event-stream',
      status: 200,
      maxCaptureBytes: 1,
      startMs: 0,
    })!;
    const found: number[] = [];
    splitAt(enc(text), at).forEach((chunk, i) => {
      hold.add(chunk, i);
      if (found.length === 0 && hold.ended()) found.push(i);
    });
    return found;
  };

  it('is not text that mentions it', () => {
    const delta = (text: string) =>
      `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })}\n\n`;
    expect(ends('anthropic.messages', delta('say "message_stop" and {"type":"message_stop"}'))).toEqual([]);
    const chat = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`;
    expect(ends('openai.chat', chat('data: [DONE]') + chat('\ndata: [DONE]\n\n'))).toEqual([]);
    expect(ends('openai.chat', 'data: [DONE] and more\n\n')).toEqual([]);
    const responses = `data: ${JSON.stringify({ type: 'response.output_text.delta', delta: '"type":"response.completed"' })}\n\n`;
    expect(ends('openai.responses', responses)).toEqual([]);
  });

  it('is the event, spelled as other servers write it, and only once it is complete', () => {
    // Python's json.dumps: a space after the colon.
    expect(ends('anthropic.messages', 'event: message_stop\ndata: {"type": "message_stop"}\n\n')).toEqual([0]);
    expect(ends('openai.chat', 'data:[DONE]\n\n')).toEqual([0]);
    expect(ends('openai.chat', 'data: [DONE]\r\n\r\n')).toEqual([0]);
    // Cut inside the marker, before its line's end, between CR and LF: found where the event is complete.
    const stop = 'data: {"type":"message_stop"}\r\n\r\n';
    for (let cut = 1; cut < stop.length; cut++) expect(ends('anthropic.messages', stop, [cut])).toEqual([1]);
    expect(ends('anthropic.messages', stop, [stop.length - 1])).toEqual([1]);
    // A field after the data line: the event is complete at the blank line.
    expect(ends('openai.responses', 'data: {"type":"response.failed"}\nid: 7\n', [])).toEqual([]);
    expect(ends('openai.responses', 'data: {"type":"response.failed"}\nid: 7\n\n')).toEqual([0]);
  });

  it('is not looked for where the codec has none: such a body is not held', () => {
    const holdable = (endpoint: Endpoint, contentType: string) =>
      BodyHold.for({ endpoint, contentType, status: 200, maxCaptureBytes: 1, startMs: 0 }) !== undefined;
    expect(holdable('custom', 'text/event-stream')).toBe(false);
    expect(holdable('anthropic.messages', 'application/vnd.amazon.eventstream')).toBe(false);
    expect(holdable('anthropic.messages', 'text/plain')).toBe(false);
    expect(holdable('anthropic.messages', 'text/event-stream; charset=utf-8')).toBe(true);
    expect(holdable('custom', 'application/json')).toBe(true);
  });
});

describe('the hold', () => {
  const jsonHold = (endpoint: Endpoint) =>
    BodyHold.for({ endpoint, contentType: 'application/json', status: 200, maxCaptureBytes: 99, startMs: 0 })!;

  it('refuses a chunk that would take it past its limit, and keeps what it held', () => {
    const hold = jsonHold('anthropic.messages');
    expect(hold.add(new Uint8Array(HOLD_MAX_BYTES - 10).fill(0x20), 1)).toBe(true);
    expect(hold.add(new Uint8Array(11), 2)).toBe(false);
    expect(hold.add(enc('{}'), 3)).toBe(true);
    const body = hold.body();
    expect(body.bytes!.length).toBe(HOLD_MAX_BYTES - 8);
    expect(body.ends).toEqual([HOLD_MAX_BYTES - 10, HOLD_MAX_BYTES - 8]);
    expect(body.at).toEqual([1, 3]);
  });

  it('holds a copy: the agent may reuse its buffer', () => {
    const hold = jsonHold('custom');
    const chunk = enc('{"a":1}');
    hold.add(chunk, 1);
    chunk.fill(0);
    const body = hold.body();
    expect(readHeld(body, body.bytes!).summary.body).toEqual({ a: 1 });
  });
});
