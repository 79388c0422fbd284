import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startMock, type MockOptions, type MockServer } from '../../../src/mock/index.js';

let mock: MockServer | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function setup(options: MockOptions = {}) {
  mock = await startMock(options);
  const client = new Anthropic({ apiKey: 'sk-ant-fake', baseURL: mock.url, maxRetries: 0, timeout: 5000 });
  return { mock, client };
}

const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: {
    type: 'object' as const,
    properties: { city: { type: 'string' }, days: { type: 'integer' }, units: { type: 'string', enum: ['c', 'f'] } },
    required: ['city', 'days', 'units'],
  },
};

describe('mock: Anthropic Messages via @anthropic-ai/sdk', () => {
  it('answers messages.create with a realistic Message', async () => {
    const { mock, client } = await setup({ script: [{ text: 'Hello there, human.' }] });
    const msg = await client.messages.create({
      model: 'claude-test-1',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(msg.id).toMatch(/^msg_01[A-Za-z0-9]{22}$/);
    expect(msg.model).toBe('claude-test-1');
    expect(msg.content).toEqual([{ type: 'text', text: 'Hello there, human.' }]);
    expect(msg.stop_reason).toBe('end_turn');
    const bytes = mock.received[0]!.rawBody.length;
    expect(msg.usage.input_tokens).toBe(Math.ceil(bytes / 4));
    expect(msg.usage.cache_read_input_tokens).toBe(0);
    expect(msg.usage.cache_creation_input_tokens).toBe(0);
    expect(msg.usage.output_tokens).toBeGreaterThan(0);

    const rec = mock.received[0]!;
    expect(rec).toMatchObject({ seq: 1, method: 'POST', path: '/v1/messages', search: '', status: 200 });
    expect(String(rec.headers['x-api-key'] ?? rec.headers.authorization)).toContain('sk-ant-fake');
    expect(rec.body).toMatchObject({ model: 'claude-test-1' });
    expect(rec.sentAt).toEqual([]);
  });

  it('streams text in textChunks deltas and messages.stream().finalMessage() reassembles it', async () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
    const { mock, client } = await setup({ script: [{ text }], textChunks: 7 });
    const stream = client.messages.stream({
      model: 'claude-x',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'go' }],
    });
    const deltas: string[] = [];
    stream.on('text', (d) => deltas.push(d));
    const msg = await stream.finalMessage();
    expect(msg.content).toEqual([{ type: 'text', text }]);
    expect(deltas).toHaveLength(7);
    expect(deltas.join('')).toBe(text);
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.usage.input_tokens).toBe(Math.ceil(mock.received[0]!.rawBody.length / 4));
    const events = mock.received[0]!.sentEvents;
    expect(events[0]).toBe('message_start');
    expect(events).toContain('ping');
    expect(events.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(mock.received[0]!.sentAt).toHaveLength(events.length);
  });

  it('accepts ?beta=true (as Claude Code sends) and records the query separately', async () => {
    const { mock, client } = await setup();
    await client.messages.create(
      { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
      { query: { beta: 'true' } },
    );
    expect(mock.received[0]).toMatchObject({ path: '/v1/messages', search: '?beta=true', status: 200 });
  });

  it('runs a 2-turn tool loop with the default script (tool input from the schema, split input_json_delta)', async () => {
    const { mock, client } = await setup();
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const jsonDeltas: string[] = [];
    const stream = client.messages.stream({ model: 'claude-x', max_tokens: 200, tools: [weatherTool], messages });
    stream.on('inputJson', (d) => jsonDeltas.push(d));
    const first = await stream.finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b) => b.type === 'tool_use');
    expect(use).toBeDefined();
    if (use?.type !== 'tool_use') throw new Error('no tool_use');
    expect(use.id).toMatch(/^toolu_01/);
    expect(use.name).toBe('get_weather');
    expect(use.input).toEqual({ city: 'example', days: 1, units: 'c' });
    expect(jsonDeltas.length).toBeGreaterThan(1);

    messages.push({ role: 'assistant', content: first.content });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny' }] });
    const second = await client.messages.create({ model: 'claude-x', max_tokens: 200, tools: [weatherTool], messages });
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content[0]).toMatchObject({ type: 'text' });
    expect(mock.received).toHaveLength(2);
  });

  it('answers count_tokens with input_tokens', async () => {
    const { mock, client } = await setup();
    const res = await client.messages.countTokens({ model: 'm', messages: [{ role: 'user', content: 'count me' }] });
    expect(res.input_tokens).toBe(Math.ceil(mock.received[0]!.rawBody.length / 4));
    expect(mock.received[0]!.path).toBe('/v1/messages/count_tokens');
  });

  it('emits a thinking block (thinking_delta + signature_delta) when thinking is enabled', async () => {
    const { client } = await setup({ script: [{ thinking: 'Pondering deeply.', text: 'Answer.' }] });
    const params = {
      model: 'm',
      max_tokens: 2000,
      thinking: { type: 'enabled' as const, budget_tokens: 1024 },
      messages: [{ role: 'user' as const, content: 'think' }],
    };
    const stream = client.messages.stream(params);
    const thoughts: string[] = [];
    let signature = '';
    stream.on('thinking', (d) => thoughts.push(d));
    stream.on('signature', (s) => (signature = s));
    const msg = await stream.finalMessage();
    expect(thoughts.join('')).toBe('Pondering deeply.');
    expect(signature.length).toBeGreaterThan(20);
    expect(msg.content[0]).toMatchObject({ type: 'thinking', thinking: 'Pondering deeply.', signature });
    expect(msg.content[1]).toMatchObject({ type: 'text', text: 'Answer.' });

    const plain = await client.messages.create(params);
    expect(plain.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    // Without thinking enabled, the scripted thought is not sent.
    const noThinking = await client.messages.create({ model: 'm', max_tokens: 10, messages: params.messages });
    expect(noThinking.content.map((b) => b.type)).toEqual(['text']);
  });

  it('scripts by request content with a function, and reports overridden usage', async () => {
    const { client } = await setup({
      script: (req) => (req.system.includes('summarise') ? { text: `summary of: ${req.lastUserText}` } : undefined),
      usage: (req) => (req.system.includes('summarise') ? { input_tokens: 190_000, cache_read_input_tokens: 5 } : {}),
    });
    const a = await client.messages.create({
      model: 'm',
      max_tokens: 10,
      system: [{ type: 'text', text: 'Please summarise.' }],
      messages: [{ role: 'user', content: 'the whole chat' }],
    });
    expect(a.content[0]).toMatchObject({ text: 'summary of: the whole chat' });
    expect(a.usage.input_tokens).toBe(190_000);
    expect(a.usage.cache_read_input_tokens).toBe(5);

    const stream = await client.messages
      .stream({ model: 'm', max_tokens: 10, system: 'please summarise', messages: [{ role: 'user', content: 'y' }] })
      .finalMessage();
    expect(stream.usage.input_tokens).toBe(190_000);

    const b = await client.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'z' }] });
    expect(b.usage.input_tokens).toBeLessThan(100);
  });

  it('serves several tool uses in one turn, and the final text past the script', async () => {
    const { client } = await setup({
      script: [
        {
          toolUses: [
            { name: 'a', input: { x: 1 } },
            { name: 'b', input: {}, id: 'toolu_fixed' },
          ],
        },
      ],
      finalText: 'The end.',
    });
    const stream = await client.messages
      .stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'go' }] })
      .finalMessage();
    expect(stream.content).toMatchObject([
      { type: 'tool_use', name: 'a', input: { x: 1 } },
      { type: 'tool_use', name: 'b', input: {}, id: 'toolu_fixed' },
    ]);
    const after = await client.messages.create({
      model: 'm',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: 'did it' },
        { role: 'user', content: 'and?' },
      ],
    });
    expect(after.content).toEqual([{ type: 'text', text: 'The end.' }]);
  });

  it('answers HEAD / and GET / with 200, unknown paths with a 404 JSON, and records them all', async () => {
    const { mock } = await setup();
    const head = await fetch(`${mock.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const get = await fetch(`${mock.url}/`);
    expect(get.status).toBe(200);
    const missing = await fetch(`${mock.url}/v2/nothing?x=1`, { method: 'POST', body: 'not json' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    expect(mock.received.map((r) => [r.method, r.path, r.search])).toEqual([
      ['HEAD', '/', ''],
      ['GET', '/', ''],
      ['POST', '/v2/nothing', '?x=1'],
    ]);
    expect(mock.received[2]!.rawBody.toString()).toBe('not json');
    expect(mock.received[2]!.body).toBeUndefined();
    mock.reset();
    expect(mock.received).toHaveLength(0);
  });

  it('answers a non-JSON body on a model path with an Anthropic-shaped 400', async () => {
    const { mock } = await setup();
    const res = await fetch(`${mock.url}/v1/messages`, { method: 'POST', body: '{nope' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });
});
