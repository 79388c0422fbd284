import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { startMock, type MockOptions, type MockServer } from '../../../src/mock/index.js';

let mock: MockServer | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function setup(options: MockOptions = {}, maxRetries = 0) {
  mock = await startMock(options);
  const anthropic = new Anthropic({ apiKey: 'sk-ant-fake', baseURL: mock.url, maxRetries, timeout: 5000 });
  const openai = new OpenAI({ apiKey: 'sk-fake', baseURL: `${mock.url}/v1`, maxRetries, timeout: 5000 });
  return { mock, anthropic, openai };
}

const params = { model: 'claude-x', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };

describe('mock faults', () => {
  it('429 with retry-after: the SDK waits as told and retries (received.length === 2)', async () => {
    const { mock, anthropic } = await setup({ faults: [{ kind: 'status', status: 429, retryAfter: 0.3, on: [1] }] }, 2);
    const msg = await anthropic.messages.create(params);
    expect(msg.type).toBe('message');
    expect(mock.received).toHaveLength(2);
    expect(mock.received[0]!.status).toBe(429);
    expect(mock.received[0]!.headers['x-stainless-retry-count']).toBe('0');
    expect(mock.received[1]!.headers['x-stainless-retry-count']).toBe('1');
    expect(mock.received[1]!.at - mock.received[0]!.at).toBeGreaterThanOrEqual(290);
  });

  it('answers status faults with provider-shaped error JSON (Anthropic 529/400, OpenAI 500)', async () => {
    const { mock, anthropic, openai } = await setup({
      faults: [
        { kind: 'status', status: 529, on: [1] },
        {
          kind: 'status',
          status: 400,
          on: [2],
          body: { type: 'error', error: { type: 'invalid_request_error', message: 'custom' } },
        },
        { kind: 'status', status: 500, on: [3] },
      ],
    });
    const overloaded = await anthropic.messages.create(params).catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(Anthropic.APIError);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'overloaded_error' },
    });
    const bad = await anthropic.messages.create(params).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
    expect((bad as Error).message).toContain('custom');
    const server = await openai.chat.completions
      .create({ model: 'g', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(server).toBeInstanceOf(OpenAI.InternalServerError);
    expect((server as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ type: 'server_error' });
    expect(mock.received.map((r) => r.status)).toEqual([529, 400, 500]);
  });

  it('many requests in flight at once: answered, and no listener warning on the server side', async () => {
    const { anthropic } = await setup({ faults: [{ kind: 'slow-first-token', ms: 300 }] });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const replies = await Promise.all(
        Array.from({ length: 16 }, () => anthropic.messages.create({ ...params, stream: false })),
      );
      expect(replies.every((m) => m.type === 'message')).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
  });

  it('applies faults by predicate', async () => {
    const { mock, anthropic } = await setup({
      faults: [{ kind: 'status', status: 429, when: (req) => req.lastUserText === 'limit me' }],
    });
    await expect(
      anthropic.messages.create({ ...params, messages: [{ role: 'user', content: 'limit me' }] }),
    ).rejects.toThrow(Anthropic.RateLimitError);
    await expect(anthropic.messages.create(params)).resolves.toMatchObject({ type: 'message' });
    expect(mock.received.map((r) => r.status)).toEqual([429, 200]);
  });

  it('disconnect: the socket is destroyed mid-stream and the SDK stream errors', async () => {
    const { mock, anthropic, openai } = await setup({ faults: [{ kind: 'disconnect', afterEvents: 3 }] });
    await expect(anthropic.messages.stream(params).finalMessage()).rejects.toThrow();
    expect(mock.received[0]!.sentEvents).toHaveLength(3);
    // non-streaming: half the JSON body, then the socket is gone
    await expect(anthropic.messages.create(params)).rejects.toThrow();
    expect(mock.received[1]!.status).toBe(200);
    const chat = openai.chat.completions.stream({ model: 'g', messages: [{ role: 'user', content: 'x' }] });
    await expect(chat.finalChatCompletion()).rejects.toThrow();
  });

  it('stream-error: an in-stream error event makes the SDK throw an APIError', async () => {
    const { mock, anthropic, openai } = await setup({ faults: [{ kind: 'stream-error', afterEvents: 2 }] });
    const err = await anthropic.messages
      .stream(params)
      .finalMessage()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'overloaded_error' },
    });
    expect(mock.received[0]!.status).toBe(200);
    expect(mock.received[0]!.sentEvents).toEqual(['message_start', 'content_block_start', 'error']);

    const chatErr = await openai.chat.completions
      .stream({ model: 'g', messages: [{ role: 'user', content: 'x' }] })
      .finalChatCompletion()
      .catch((e: unknown) => e);
    expect(chatErr).toBeInstanceOf(OpenAI.APIError);
    const respErr = await openai.responses
      .stream({ model: 'g', input: 'x' })
      .finalResponse()
      .catch((e: unknown) => e);
    expect(respErr).toBeInstanceOf(OpenAI.APIError);
  });

  it('unknown-event: an unknown SSE event type is sent and the SDKs still finish', async () => {
    const { mock, anthropic, openai } = await setup({
      faults: [{ kind: 'unknown-event' }],
      script: [{ text: 'still fine' }],
    });
    const msg = await anthropic.messages.stream(params).finalMessage();
    expect(msg.content).toEqual([{ type: 'text', text: 'still fine' }]);
    expect(mock.received[0]!.sentEvents[1]).toBe('future_event_type');
    // openai's responses.stream() helper rejects unknown event types; the raw stream passes them on.
    const raw = await openai.responses.create({ model: 'g', input: 'x', stream: true });
    const types: string[] = [];
    for await (const e of raw) types.push(e.type);
    expect(types[1]).toBe('response.future_event_type');
    expect(types.at(-1)).toBe('response.completed');
    const chat = await openai.chat.completions
      .stream({ model: 'g', messages: [{ role: 'user', content: 'x' }] })
      .finalChatCompletion();
    expect(chat.choices[0]!.message.content).toBe('still fine');
  });

  it('slow-first-token delays the first content event (headers and message_start come first)', async () => {
    const { mock, anthropic } = await setup({ faults: [{ kind: 'slow-first-token', ms: 250 }] });
    const started = Date.now();
    const stream = anthropic.messages.stream(params);
    let firstText = 0;
    stream.on('text', () => (firstText ||= Date.now()));
    await stream.finalMessage();
    expect(firstText - started).toBeGreaterThanOrEqual(245);
    const rec = mock.received[0]!;
    const firstDelta = rec.sentEvents.indexOf('content_block_delta');
    expect(rec.sentAt[firstDelta]! - rec.sentAt[0]!).toBeGreaterThanOrEqual(245);
    // non-streaming: the whole body is late
    const t0 = Date.now();
    await anthropic.messages.create(params);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(245);
  });

  it('no-content answers 204 with no body', async () => {
    const { mock } = await setup({ faults: [{ kind: 'no-content', status: 204 }] });
    const res = await fetch(`${mock.url}/v1/messages`, { method: 'POST', body: JSON.stringify(params) });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  it('redirect: 307 to another path, followed by the SDK', async () => {
    const { mock, anthropic } = await setup({
      faults: [{ kind: 'redirect', to: '/v1/messages?redirected=1', status: 307, on: [1] }],
    });
    const msg = await anthropic.messages.create(params);
    expect(msg.type).toBe('message');
    expect(mock.received.map((r) => [r.status, r.search])).toEqual([
      [307, ''],
      [200, '?redirected=1'],
    ]);
    expect(mock.received[1]!.body).toMatchObject({ model: 'claude-x' });
  });
});

describe('mock pacing and gzip', () => {
  async function pacedRun(options: MockOptions) {
    const pacing = options.pacingMs ?? 0;
    const { mock, anthropic } = await setup({ ...options, script: [{ text: 'one two three four five six' }] });
    const stream = anthropic.messages.stream(params);
    const textAt: number[] = [];
    stream.on('text', () => textAt.push(Date.now()));
    await stream.finalMessage();
    const rec = mock.received[0]!;
    for (let i = 1; i < rec.sentAt.length; i++) {
      expect(rec.sentAt[i]! - rec.sentAt[i - 1]!).toBeGreaterThanOrEqual(pacing - 1);
    }
    const deltaIdx = rec.sentEvents.flatMap((e, i) => (e === 'content_block_delta' ? [i] : []));
    expect(deltaIdx).toHaveLength(3);
    // The client saw the first delta before the server wrote the second: no buffering anywhere.
    expect(textAt[0]!).toBeLessThan(rec.sentAt[deltaIdx[1]!]!);
    return rec;
  }

  it('paces SSE events and flushes each one', async () => {
    await pacedRun({ pacingMs: 40 });
  });

  it('gzips SSE with a sync flush per event: pacing survives and fetch decodes transparently', async () => {
    const rec = await pacedRun({ pacingMs: 40, gzip: true });
    expect(rec.status).toBe(200);
    expect(String(rec.headers['accept-encoding'])).toContain('gzip'); // so the mock did gzip this stream
  });

  it('gzips JSON and SSE (content-encoding: gzip) for clients that accept it', async () => {
    const { mock, anthropic, openai } = await setup({ gzip: true, script: [{ text: 'zipped' }] });
    expect((await anthropic.messages.create(params)).content).toEqual([{ type: 'text', text: 'zipped' }]);
    const chat = await openai.chat.completions
      .stream({ model: 'g', messages: [{ role: 'user', content: 'x' }] })
      .finalChatCompletion();
    expect(chat.choices[0]!.message.content).toBe('zipped');

    const raw = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      const req = request(
        `${mock.url}/v1/messages`,
        { method: 'POST', headers: { 'accept-encoding': 'gzip', 'content-type': 'application/json' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ ...params, stream: true }));
    });
    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(raw.headers['content-type']).toMatch(/text\/event-stream/);
    expect(gunzipSync(raw.body).toString()).toContain('event: message_stop');
  });
});
