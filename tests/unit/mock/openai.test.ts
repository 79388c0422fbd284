import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startMock, type MockOptions, type MockServer } from '../../../src/mock/index.js';

let mock: MockServer | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function setup(options: MockOptions = {}) {
  mock = await startMock(options);
  const client = new OpenAI({ apiKey: 'sk-fake', baseURL: `${mock.url}/v1`, maxRetries: 0, timeout: 5000 });
  return { mock, client };
}

const chatTool = {
  type: 'function' as const,
  function: {
    name: 'read_file',
    description: 'Read a file',
    parameters: {
      type: 'object',
      properties: { path: { type: 'string' }, limit: { type: 'number' } },
      required: ['path'],
    },
  },
};
const responsesTool = {
  type: 'function' as const,
  name: 'read_file',
  description: 'Read a file',
  strict: false,
  parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
};

describe('mock: OpenAI Chat Completions via openai', () => {
  it('answers non-streaming with a ChatCompletion', async () => {
    const { mock, client } = await setup({ script: [{ text: 'Plain answer.' }] });
    const res = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.model).toBe('gpt-test');
    expect(res.choices[0]!.message).toMatchObject({ role: 'assistant', content: 'Plain answer.' });
    expect(res.choices[0]!.finish_reason).toBe('stop');
    expect(res.usage?.prompt_tokens).toBe(Math.ceil(mock.received[0]!.rawBody.length / 4));
    expect(mock.received[0]!.path).toBe('/v1/chat/completions');
  });

  it('streams tool_calls deltas, the finish chunk, the usage chunk and [DONE]', async () => {
    const { mock, client } = await setup();
    const stream = await client.chat.completions.create({
      model: 'gpt-test',
      stream: true,
      stream_options: { include_usage: true },
      tools: [chatTool],
      messages: [{ role: 'user', content: 'read it' }],
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const argFragments = chunks
      .flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
      .map((t) => t.function?.arguments ?? '');
    expect(argFragments.filter((a) => a !== '').length).toBeGreaterThan(1);
    expect(JSON.parse(argFragments.join(''))).toEqual({ path: 'example' });
    const first = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])[0]!;
    expect(first).toMatchObject({ index: 0, type: 'function', function: { name: 'read_file' } });
    expect(first.id).toMatch(/^call_/);
    expect(chunks.some((c) => c.choices[0]?.finish_reason === 'tool_calls')).toBe(true);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage?.completion_tokens).toBeGreaterThan(0);
    expect(mock.received[0]!.sentEvents.at(-1)).toBe('[DONE]');
  });

  it('drives a 2-turn tool loop with the stream helper', async () => {
    const { client } = await setup();
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'read it' }];
    const first = await client.chat.completions
      .stream({ model: 'gpt-test', tools: [chatTool], messages, stream_options: { include_usage: true } })
      .finalChatCompletion();
    const msg = first.choices[0]!.message;
    expect(msg.tool_calls?.[0]).toMatchObject({
      type: 'function',
      function: { name: 'read_file', arguments: '{"path":"example"}' },
    });
    messages.push(msg);
    messages.push({ role: 'tool', tool_call_id: msg.tool_calls![0]!.id, content: 'file contents' });
    const second = await client.chat.completions
      .stream({ model: 'gpt-test', tools: [chatTool], messages })
      .finalChatCompletion();
    expect(second.choices[0]!.message.content).toMatch(/read_file/);
    expect(second.choices[0]!.finish_reason).toBe('stop');
  });
});

describe('mock: OpenAI Responses API via openai', () => {
  it('answers non-streaming with a Response', async () => {
    const { client } = await setup({ script: [{ text: 'Responses answer.' }] });
    const res = await client.responses.create({ model: 'gpt-r', input: 'hello', instructions: 'be brief' });
    expect(res.id).toMatch(/^resp_/);
    expect(res.status).toBe('completed');
    expect(res.output_text).toBe('Responses answer.');
    expect(res.instructions).toBe('be brief');
    expect(res.usage?.input_tokens).toBeGreaterThan(0);
  });

  it('streams a function call (arguments deltas) with sequence numbers, then a text turn', async () => {
    const { mock, client } = await setup();
    const stream = client.responses.stream({ model: 'gpt-r', input: 'read it', tools: [responsesTool] });
    const argDeltas: string[] = [];
    stream.on('response.function_call_arguments.delta', (e) => argDeltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(argDeltas.length).toBeGreaterThan(1);
    const call = final.output.find((o) => o.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('no function_call');
    expect(call).toMatchObject({ name: 'read_file', arguments: '{"path":"example"}', status: 'completed' });
    expect(call.call_id).toMatch(/^call_/);
    expect(final.usage?.total_tokens).toBeGreaterThan(0);

    const events = mock.received[0]!.sentEvents;
    expect(events.slice(0, 3)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added']);
    expect(events.at(-1)).toBe('response.completed');

    // Raw events carry consecutive sequence numbers.
    const raw = await client.responses.create({
      model: 'gpt-r',
      input: 'read it',
      tools: [responsesTool],
      stream: true,
    });
    const seqs: number[] = [];
    for await (const e of raw) seqs.push(e.sequence_number);
    expect(seqs).toEqual(seqs.map((_, i) => i));

    // Turn 2: the conversation carries the function_call and its output.
    const second = client.responses.stream({
      model: 'gpt-r',
      tools: [responsesTool],
      input: [
        { role: 'user', content: 'read it' },
        { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: 'function_call_output', call_id: call.call_id, output: 'contents' },
      ],
    });
    const textDeltas: string[] = [];
    second.on('response.output_text.delta', (e) => textDeltas.push(e.delta));
    const secondFinal = await second.finalResponse();
    expect(textDeltas).toHaveLength(3);
    expect(secondFinal.output_text).toBe(textDeltas.join(''));
    expect(secondFinal.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
  });

  it('follows previous_response_id to count turns', async () => {
    const { client } = await setup({ script: [{ text: 'first' }, { text: 'second' }, { text: 'third' }] });
    const a = await client.responses.create({ model: 'gpt-r', input: 'one' });
    const b = await client.responses.create({ model: 'gpt-r', input: 'two', previous_response_id: a.id });
    const c = await client.responses.create({ model: 'gpt-r', input: 'three', previous_response_id: b.id });
    expect([a.output_text, b.output_text, c.output_text]).toEqual(['first', 'second', 'third']);
  });
});
