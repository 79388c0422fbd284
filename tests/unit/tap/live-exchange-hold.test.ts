/**
 * Which bodies an exchange holds raw for the writer to read (src/exchange/held.ts) and which it reads on the agent's
 * thread as they come: the rules learn from the usage, so their exchanges are read live; a hold that outgrows its
 * limit becomes a live read with nothing lost; a held stream ends at its semantic end even when the agent stops
 * reading there.
 */
import { describe, expect, it } from 'vitest';
import { HOLD_MAX_BYTES } from '../../../src/exchange/held.js';
import type { Usage } from '../../../src/exchange/types.js';
import { type EndRecord, withHeldRead } from '../../../src/log/recorder.js';
import type { TapContext } from '../../../src/tap/context.js';
import { LiveExchange } from '../../../src/tap/live-exchange.js';

const enc = (s: string) => new TextEncoder().encode(s);

function exchange(endpoint: 'anthropic.messages' | 'openai.chat' = 'anthropic.messages') {
  const ends: EndRecord[] = [];
  const warnings: string[] = [];
  const ctx: TapContext = {
    recorder: { request: () => {}, response: () => {}, end: (r) => ends.push(r), rewrite: () => {} },
    matchEndpoint: () => null,
    warn: (code, message) => warnings.push(`${code}: ${message}`),
    maxBodyBytes: 16 * 1024 * 1024,
    nextExchangeId: () => 'x1',
    open: new Set(),
  };
  const provider = endpoint === 'openai.chat' ? 'openai' : 'anthropic';
  const live = new LiveExchange(ctx, {
    layer: 'fetch',
    match: { endpoint, provider, operation: 'chat' } as never,
    method: 'POST',
    url: 'http://127.0.0.1/v1/messages',
    headers: {},
  });
  return { live, ends, warnings };
}

const message = (text: string) =>
  JSON.stringify({
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    usage: { input_tokens: 11, output_tokens: 3 },
  });

describe('a held body', () => {
  it('is held when nothing on the agent’s thread reads it, and read where the record is written', () => {
    const { live, ends, warnings } = exchange();
    live.responded(200, { 'content-type': 'application/json' });
    const bytes = enc(message('hello'));
    live.chunk(bytes.subarray(0, 10));
    live.chunk(bytes.subarray(10));
    live.finish('complete');
    expect(warnings).toEqual([]);
    expect(ends[0]!.held?.bytes?.length).toBe(bytes.length);
    expect(ends[0]!.summary).toBeUndefined();
    expect(withHeldRead(ends[0]!).summary?.usage).toMatchObject({ input_tokens: 11, output_tokens: 3 });
  });

  it('is read live when the rules learn from its usage, and the usage reaches them', () => {
    const { live, ends } = exchange();
    const settled: Usage[] = [];
    live.ruled({ settle: (u) => settled.push(u) });
    live.responded(200, { 'content-type': 'application/json' });
    live.chunk(enc(message('hello')));
    live.finish('complete');
    expect(ends[0]!.held).toBeUndefined();
    expect(ends[0]!.summary?.usage).toMatchObject({ input_tokens: 11 });
    expect(settled).toEqual([expect.objectContaining({ input_tokens: 11, output_tokens: 3 })]);
  });

  it('past its limit, is read live from what it held on, nothing lost', () => {
    const { live, ends, warnings } = exchange();
    live.responded(200, { 'content-type': 'application/json' });
    const text = 'é'.repeat(HOLD_MAX_BYTES / 2 + 1000); // more than the hold's limit in UTF-8
    const bytes = enc(message(text));
    const third = Math.floor(bytes.length / 3);
    for (const part of [bytes.subarray(0, third), bytes.subarray(third, 2 * third), bytes.subarray(2 * third)])
      live.chunk(part);
    live.finish('complete');
    expect(warnings).toEqual([]);
    expect(ends[0]!.held).toBeUndefined();
    const content = (ends[0]!.summary!.body as { content: { text: string }[] }).content;
    expect(content[0]!.text).toBe(text);
    expect(ends[0]!.bytes).toBe(bytes.length);
  });

  it('a stream past its limit: read live from its first chunk, its first token timed by that chunk', async () => {
    const { live, ends, warnings } = exchange();
    live.responded(200, { 'content-type': 'text/event-stream' });
    const sse = (data: Record<string, unknown>) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
    const delta = (text: string) => sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });
    const start =
      sse({ type: 'message_start', message: { id: 'm', role: 'assistant', content: [], usage: { input_tokens: 1 } } }) +
      sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    const big = 'x'.repeat(HOLD_MAX_BYTES / 4);
    await new Promise((r) => setTimeout(r, 20));
    live.chunk(enc(start + delta('first')));
    await new Promise((r) => setTimeout(r, 30));
    for (let i = 0; i < 5; i++) live.chunk(enc(delta(big)));
    live.chunk(enc(sse({ type: 'message_stop' })));
    expect(warnings).toEqual([]);
    expect(ends).toHaveLength(1); // ended at message_stop, read live by then
    expect(ends[0]!.held).toBeUndefined();
    const content = (ends[0]!.summary!.body as { content: { text: string }[] }).content;
    expect(content[0]!.text).toBe(`first${big.repeat(5)}`);
    // The first content came with the first chunk (~20 ms after the start), not when the hold was given up (~50 ms).
    expect(ends[0]!.ttftMs).toBeGreaterThanOrEqual(19);
    expect(ends[0]!.ttftMs).toBeLessThan(45);
  });

  it('ends at its semantic end, though the agent reads no further (the OpenAI SDK stops at [DONE])', () => {
    const { live, ends } = exchange('openai.chat');
    live.responded(200, { 'content-type': 'text/event-stream' });
    const chunk = JSON.stringify({
      id: 'c1',
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta: { content: 'hi' } }],
    });
    live.chunk(enc(`data: ${chunk}\n\n`));
    expect(ends).toHaveLength(0);
    live.chunk(enc('data: [DONE]\n\n'));
    expect(ends).toHaveLength(1);
    expect(ends[0]!.outcome).toBe('complete');
    const read = withHeldRead(ends[0]!);
    expect(read.summary?.events).toBe(2);
    expect(read.ttftMs).toBeGreaterThanOrEqual(0);
  });

  it('ends after the agent has the chunk its end is in (fetch), and complete though the process exits before', async () => {
    const chat = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'hi' } }] })}\n\n`;
    const { live, ends } = exchange('openai.chat');
    live.respondedSoon(200, 'text/event-stream', () => ({}));
    live.chunkSoon(enc(`${chat}data: [DONE]\n\n`));
    expect(ends).toHaveLength(0); // not on the way to the agent
    await new Promise((r) => setImmediate(r));
    expect(ends.map((e) => e.outcome)).toEqual(['complete']);

    const exiting = exchange('openai.chat');
    exiting.live.respondedSoon(200, 'text/event-stream', () => ({}));
    exiting.live.chunkSoon(enc(`${chat}data: [DONE]\n\n`));
    exiting.live.finish('incomplete', new Error('exit')); // process exit, before the next turn
    expect(exiting.ends.map((e) => [e.outcome, e.error])).toEqual([['complete', undefined]]);
  });
});
