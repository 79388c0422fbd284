/**
 * The one reader of provider bodies (src/exchange): the same questions asked of an Anthropic Messages,
 * an OpenAI Chat Completions and an OpenAI Responses request and response.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  inputStrings,
  isToolResults,
  maxTokensField,
  maxTokensOf,
  messagesOf,
  remindersOf,
  responseToolCalls,
  roleOf,
  systemBlocks,
  textsOf,
  toolName,
  userText,
} from '../../../src/exchange/body.js';
import { messageKey, splitCacheMarkers, withoutCacheMarkers } from '../../../src/exchange/cache-markers.js';
import { contentHash } from '../../../src/exchange/hash.js';
import { BlobStore } from '../../../src/log/blobs.js';

const REMINDER = '<system-reminder>\nToday is Tuesday.\n</system-reminder>';
const marker = { type: 'ephemeral' };

const anthropic = {
  model: 'claude-sonnet-4-5',
  max_tokens: 4096,
  system: [{ type: 'text', text: 'You are a coding agent.', cache_control: marker }],
  tools: [{ name: 'Bash', input_schema: { type: 'object' } }],
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: REMINDER },
        { type: 'text', text: 'Fix the test.' },
      ],
    },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'tu_1', name: 'Bash', input: { command: 'npm test' } }] },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'tu_1', content: `1 failing\n${REMINDER}` },
        { type: 'text', text: REMINDER, cache_control: marker },
      ],
    },
  ],
};
const anthropicReply = {
  role: 'assistant',
  content: [
    { type: 'text', text: 'Running it.' },
    { type: 'tool_use', id: 'tu_2', name: 'Bash', input: { command: 'npm test -- -u' } },
  ],
};

const chat = {
  model: 'gpt-4o',
  max_completion_tokens: 300,
  max_tokens: 100,
  tools: [{ type: 'function', function: { name: 'get_weather', parameters: {} } }],
  messages: [
    { role: 'system', content: 'Be terse.' },
    { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
    { role: 'user', content: 'Weather in Paris?' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: '18°C' },
  ],
};
const chatReply = {
  choices: [
    {
      message: {
        role: 'assistant',
        tool_calls: [
          { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } },
        ],
      },
    },
  ],
};

const responses = {
  model: 'gpt-5',
  max_output_tokens: 900,
  instructions: 'You are helpful.',
  tools: [{ type: 'function', name: 'lookup' }, { type: 'web_search' }],
  input: [
    { role: 'user', content: [{ type: 'input_text', text: 'Look it up.' }] },
    { type: 'function_call', call_id: 'fc_1', name: 'lookup', arguments: '{"q":"x"}' },
    { type: 'function_call_output', call_id: 'fc_1', output: 'found' },
  ],
};
const responsesReply = {
  output: [
    { type: 'message', content: [{ type: 'output_text', text: 'Here.' }] },
    { type: 'function_call', call_id: 'fc_2', name: 'lookup', arguments: 'not json' },
  ],
};

describe('the body reader, per API', () => {
  it('Anthropic Messages: system blocks, tools, user words without reminders, reminders also inside tool results', () => {
    const messages = messagesOf(anthropic);
    expect(messages).toBe(anthropic.messages);
    expect(systemBlocks(anthropic, messages)).toEqual(['You are a coding agent.']);
    expect(anthropic.tools.map(toolName)).toEqual(['Bash']);
    expect(messages.map(roleOf)).toEqual(['user', 'assistant', 'user']);
    expect(userText(messages[0])).toBe('Fix the test.');
    expect(remindersOf(messages[0])).toEqual(['Today is Tuesday.']);
    expect(remindersOf(messages[2])).toEqual(['Today is Tuesday.', 'Today is Tuesday.']);
    expect(isToolResults(messages[2])).toBe(true);
    expect(isToolResults(messages[0])).toBe(false);
    expect([maxTokensOf(anthropic), maxTokensOf(anthropic, 'anthropic.messages'), maxTokensField(anthropic)]).toEqual([
      4096,
      4096,
      'max_tokens',
    ]);
    expect(responseToolCalls(anthropicReply)).toEqual([
      { id: 'tu_2', name: 'Bash', input: { command: 'npm test -- -u' } },
    ]);
    expect(textsOf(anthropicReply.content)).toEqual(['Running it.']);
  });

  it('OpenAI Chat: system and developer messages as the system prompt, function tools, tool messages, JSON arguments', () => {
    const messages = messagesOf(chat);
    expect(systemBlocks(chat, messages)).toEqual(['Be terse.', 'Answer in French.']);
    expect(chat.tools.map(toolName)).toEqual(['get_weather']);
    expect(messages.map(roleOf)).toEqual(['system', 'developer', 'user', 'assistant', 'tool']);
    expect(userText(messages[2])).toBe('Weather in Paris?');
    expect(isToolResults(messages[4])).toBe(true);
    // Chat's current field first; without an endpoint, any API's order (max_tokens first).
    expect([
      maxTokensOf(chat, 'openai.chat'),
      maxTokensField(chat, 'openai.chat'),
      maxTokensOf(chat),
      maxTokensField(chat),
    ]).toEqual([300, 'max_completion_tokens', 100, 'max_tokens']);
    expect(responseToolCalls(chatReply)).toEqual([{ id: 'call_2', name: 'get_weather', input: { city: 'Lyon' } }]);
    expect(inputStrings(responseToolCalls(chatReply)[0]!.input)).toEqual(['Lyon']);
  });

  it('OpenAI Responses: instructions, input items (a string is one user message), function calls and outputs', () => {
    const items = messagesOf(responses);
    expect(systemBlocks(responses, items)).toEqual(['You are helpful.']);
    expect(responses.tools.map(toolName)).toEqual(['lookup', 'web_search']);
    expect(items.map(roleOf)).toEqual(['user', 'assistant', 'tool']);
    expect(userText(items[0])).toBe('Look it up.');
    expect(isToolResults(items[2])).toBe(true);
    expect(messagesOf({ input: 'hi' })).toEqual([{ role: 'user', content: 'hi' }]);
    expect(messagesOf({})).toEqual([]);
    expect([
      maxTokensOf(responses, 'openai.responses'),
      maxTokensOf({ max_tokens: 5 }, 'openai.responses'),
      maxTokensOf({ max_tokens: 'x' }),
    ]).toEqual([900, undefined, undefined]);
    expect(responseToolCalls(responsesReply)).toEqual([{ id: 'fc_2', name: 'lookup', input: 'not json' }]);
  });
});

describe('cache markers, message keys and the content hash', () => {
  it('a message keeps its key when only its cache marker moved or its string became a text block', () => {
    const plain = { role: 'user', content: 'Fix the test.' };
    const marked = {
      role: 'user',
      content: [{ type: 'text', text: 'Fix the test.', cache_control: { type: 'ephemeral', ttl: '1h' } }],
    };
    expect(messageKey(marked)).toBe(messageKey(plain));
    expect(messageKey({ role: 'user', content: 'Fix the tests.' })).not.toBe(messageKey(plain));
    // The words "cache_control" in a text are content, not a marker.
    const quoted = { role: 'user', content: 'set "cache_control":{"type":"ephemeral"} here' };
    expect(withoutCacheMarkers(JSON.stringify(quoted))).toBe(JSON.stringify(quoted));
    expect(messageKey(quoted)).not.toBe(messageKey({ role: 'user', content: 'set  here' }));
  });

  it("a message's key is the content hash of its string form: a logged blob's own hash when it is in that form", () => {
    const words = { role: 'user', content: 'Fix the test.' };
    expect(messageKey(words)).toBe(contentHash(JSON.stringify(words)));
    const result = (content: unknown) => ({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 't', content }],
    });
    // Nested too, markers cut first; the same block with the marker first is the same message.
    expect(messageKey(result([{ type: 'text', text: 'out' }]))).toBe(messageKey(result('out')));
    expect(messageKey(result([{ cache_control: marker, type: 'text', text: 'out' }]))).toBe(messageKey(result('out')));
    // Not one plain text block: two blocks, another field, fields in another order, another type.
    for (const other of [
      [
        { type: 'text', text: 'o' },
        { type: 'text', text: 'ut' },
      ],
      [{ type: 'text', text: 'out', citations: [] }],
      [{ text: 'out', type: 'text' }],
      [{ type: 'input_text', text: 'out' }],
      [{ type: 'text', text: 'out', cache_control: { type: 'ephemeral', nested: {} } }],
    ])
      expect(messageKey(result(other)), JSON.stringify(other)).not.toBe(messageKey(result('out')));
  });

  it('markers are cut wherever they sit in an object, leaving valid JSON', () => {
    for (const block of [
      { cache_control: marker, type: 'text', text: 'a' },
      { type: 'text', cache_control: marker, text: 'a' },
      { type: 'text', text: 'a', cache_control: marker },
    ]) {
      expect(JSON.parse(withoutCacheMarkers(JSON.stringify(block)))).toEqual({ type: 'text', text: 'a' });
    }
    expect(withoutCacheMarkers(JSON.stringify({ cache_control: marker }))).toBe('{}');
  });

  it('the log splits markers off a message by block index, and keeps them to put back', () => {
    const message = anthropic.messages[2]!;
    const { bare, markers } = splitCacheMarkers(message);
    expect(markers).toEqual({ 1: marker });
    expect(JSON.stringify(bare)).toBe(withoutCacheMarkers(JSON.stringify(message)));
    expect(splitCacheMarkers(anthropic.messages[0])).toEqual({ bare: anthropic.messages[0] });
  });

  it("one content hash, the log's blob reference: 128 bits of SHA-256 in hex", () => {
    const json = JSON.stringify(anthropic.system);
    expect(contentHash(json)).toBe(createHash('sha256').update(json).digest('hex').slice(0, 32));
    const written: string[] = [];
    expect(new BlobStore((hash) => written.push(hash)).ref(anthropic.system, json)).toEqual({
      $blob: contentHash(json),
    });
    expect(written).toEqual([contentHash(json)]);
  });
});
