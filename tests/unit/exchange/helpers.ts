/**
 * Test helpers for the response codecs: SSE builders, realistic provider streams, chunking, and
 * the real SDKs run over the same bytes (through a fake `fetch`) to compare against.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createResponseObserver } from '../../../src/exchange/observer.js';
import type { Endpoint, ObserverOptions, ResponseSummary } from '../../../src/exchange/types.js';
import { withoutSdkConveniences } from '../../helpers/sdk-fields.js';

export interface SseEvent {
  event?: string;
  data: unknown;
}

export function sseText(events: SseEvent[], eol = '\n'): string {
  let out = '';
  for (const e of events) {
    if (e.event !== undefined) out += `event: ${e.event}${eol}`;
    out += `data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}${eol}${eol}`;
  }
  return out;
}

export function sseBytes(events: SseEvent[], eol = '\n'): Uint8Array {
  return new TextEncoder().encode(sseText(events, eol));
}

/** Anthropic events carry their type both as the SSE event name and in the data. */
function typed(data: { type: string }): SseEvent {
  return { event: data.type, data };
}

// ---------------------------------------------------------------------------------------------
// Splitting
// ---------------------------------------------------------------------------------------------

/** `bytes` cut at the given offsets (sorted, deduplicated, out-of-range ones dropped). */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const p of points) {
    out.push(bytes.slice(start, p));
    start = p;
  }
  out.push(bytes.slice(start));
  return out;
}

export function bytewise(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i++) out.push(bytes.slice(i, i + 1));
  return out;
}

export interface Observed {
  summary: ResponseSummary;
  firstContent: number;
  semanticEnd: number;
}

export function observe(endpoint: Endpoint, chunks: Uint8Array[], options: Partial<ObserverOptions> = {}): Observed {
  const counts = { firstContent: 0, semanticEnd: 0 };
  const observer = createResponseObserver({
    endpoint,
    contentType: 'text/event-stream',
    status: 200,
    onFirstContent: () => counts.firstContent++,
    onSemanticEnd: () => counts.semanticEnd++,
    ...options,
  });
  for (const c of chunks) observer.write(c);
  // Arrival times depend on when the bytes came, not on what they say: the content comparisons leave them out.
  const { chunkMs: _timing, ...summary } = observer.finish();
  return { summary, ...counts };
}

// ---------------------------------------------------------------------------------------------
// The real SDKs over the same bytes
// ---------------------------------------------------------------------------------------------

/** A `fetch` that answers every request with `chunks` as the body. */
export function fakeFetch(chunks: Uint8Array[], contentType = 'text/event-stream', status = 200) {
  return async (): Promise<Response> =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const c of chunks) controller.enqueue(c);
          controller.close();
        },
      }),
      { status, headers: { 'content-type': contentType } },
    );
}

/** Own enumerable data only, getters evaluated, `undefined` dropped: what a log line would hold. */
export function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export async function anthropicFinalMessage(chunks: Uint8Array[]): Promise<Record<string, unknown>> {
  const client = new Anthropic({ apiKey: 'test', fetch: fakeFetch(chunks), maxRetries: 0 });
  const message = await client.messages
    // A model name the SDK has no deprecation notice for.
    .stream({ model: 'claude-test-model', max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }] })
    .finalMessage();
  return withoutSdkConveniences(plain(message)) as unknown as Record<string, unknown>;
}

export async function openaiFinalChatCompletion(chunks: Uint8Array[]): Promise<Record<string, unknown>> {
  const client = new OpenAI({ apiKey: 'test', fetch: fakeFetch(chunks), maxRetries: 0 });
  const completion = await client.chat.completions
    .stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream_options: { include_usage: true } })
    .finalChatCompletion();
  return withoutSdkConveniences(completion) as unknown as Record<string, unknown>;
}

export async function openaiFinalResponse(chunks: Uint8Array[]): Promise<Record<string, unknown>> {
  const client = new OpenAI({ apiKey: 'test', fetch: fakeFetch(chunks), maxRetries: 0 });
  const response = await client.responses.stream({ model: 'gpt-5', input: 'hi' }).finalResponse();
  return withoutSdkConveniences(response) as unknown as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Realistic streams
// ---------------------------------------------------------------------------------------------

export const THINKING = ['Let me think… the user says “hi” 🤔. ', 'Weather in 東京 and Paris; ', 'call the tool.'];
export const ANSWER = ['Checking the weather ', 'for you — ', 'un instant 🌦️…', ' 日本語も OK.'];
export const TOOL_JSON = ['', '{"locat', 'ion": "Paris, Fr', 'ance", "unit": "°C', '", "days": [1, 2]}'];

/**
 * An Anthropic stream: thinking with signature, ping, text with multibyte characters, an unknown
 * event type, a server tool (server_tool_use + web_search_tool_result arriving whole), a text block
 * with a citation, a tool_use with streamed input, and message_delta usage overriding message_start's.
 */
export function anthropicEvents(opts: { error?: boolean } = {}): SseEvent[] {
  const events: SseEvent[] = [
    typed({
      type: 'message_start',
      message: {
        id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-5-5-20250929',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: 25,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 1200,
          output_tokens: 1,
          service_tier: 'standard',
        },
      },
    } as never),
    typed({ type: 'ping' }),
    typed({
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'thinking', thinking: '', signature: '' },
    } as never),
    ...THINKING.map((t) =>
      typed({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: t } } as never),
    ),
    typed({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h' },
    } as never),
    typed({ type: 'content_block_stop', index: 0 } as never),
    typed({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } } as never),
    ...ANSWER.map((t) =>
      typed({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: t } } as never),
    ),
    typed({ type: 'content_block_stop', index: 1 } as never),
    { event: 'future_event', data: { type: 'future_event', detail: { anything: [1, 2, 3] } } },
    typed({
      type: 'content_block_start',
      index: 2,
      content_block: { type: 'server_tool_use', id: 'srvtoolu_01', name: 'web_search', input: {} },
    } as never),
    typed({
      type: 'content_block_delta',
      index: 2,
      delta: { type: 'input_json_delta', partial_json: '{"query": "weather ' },
    } as never),
    typed({
      type: 'content_block_delta',
      index: 2,
      delta: { type: 'input_json_delta', partial_json: 'Paris"}' },
    } as never),
    typed({ type: 'content_block_stop', index: 2 } as never),
    typed({
      type: 'content_block_start',
      index: 3,
      content_block: {
        type: 'web_search_tool_result',
        tool_use_id: 'srvtoolu_01',
        content: [
          {
            type: 'web_search_result',
            url: 'https://meteo.example/paris',
            title: 'Météo Paris',
            encrypted_content: 'EqgfCioIARgBIiQ3YTAwMjY1Mi1mZjM5LTQ1NGUtODgxNC1kNjNjNTk1ZWI3Y2MSDCzfrcYr',
            page_age: 'April 30, 2025',
          },
        ],
      },
    } as never),
    typed({ type: 'content_block_stop', index: 3 } as never),
    typed({
      type: 'content_block_start',
      index: 4,
      content_block: { type: 'text', text: '', citations: null },
    } as never),
    typed({ type: 'content_block_delta', index: 4, delta: { type: 'text_delta', text: 'Il fait 18 °C.' } } as never),
    typed({
      type: 'content_block_delta',
      index: 4,
      delta: {
        type: 'citations_delta',
        citation: {
          type: 'web_search_result_location',
          cited_text: 'Paris : 18 °C, ensoleillé',
          url: 'https://meteo.example/paris',
          title: 'Météo Paris',
          encrypted_index: 'Eo8BCioIAhgBIiQyYjQ0OWJmZi1lNm',
        },
      },
    } as never),
    typed({ type: 'content_block_stop', index: 4 } as never),
    typed({
      type: 'content_block_start',
      index: 5,
      content_block: { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: {} },
    } as never),
    ...TOOL_JSON.map((p) =>
      typed({ type: 'content_block_delta', index: 5, delta: { type: 'input_json_delta', partial_json: p } } as never),
    ),
    typed({ type: 'content_block_stop', index: 5 } as never),
    typed({ type: 'ping' }),
  ];
  if (opts.error) {
    events.push({
      event: 'error',
      data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    });
    return events;
  }
  events.push(
    typed({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: {
        output_tokens: 187,
        input_tokens: 25,
        cache_read_input_tokens: 1200,
        server_tool_use: { web_search_requests: 1 },
      },
    } as never),
    typed({ type: 'message_stop' }),
  );
  return events;
}

const CHAT_BASE = {
  id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
  object: 'chat.completion.chunk',
  created: 1741569952,
  model: 'gpt-4o-2024-08-06',
  service_tier: 'default',
  system_fingerprint: 'fp_eb9dce56a8',
};

function chatChunk(choice: Record<string, unknown> | null, extra: Record<string, unknown> = {}): SseEvent {
  return {
    data: {
      ...CHAT_BASE,
      choices: choice ? [{ index: 0, logprobs: null, finish_reason: null, ...choice }] : [],
      usage: null,
      obfuscation: 'x1y2',
      ...extra,
    },
  };
}

export const CHAT_TEXT = ['Let me check ', 'the weather 🌦️ ', 'in 東京 and Paris.'];

/** A Chat Completions stream: role, text, two parallel tool calls interleaved, the usage chunk, [DONE]. */
export function chatEvents(opts: { done?: boolean } = {}): SseEvent[] {
  const tc = (index: number, fn: Record<string, unknown>, head?: Record<string, unknown>) =>
    chatChunk({ delta: { tool_calls: [{ index, ...head, function: fn }] } });
  const events: SseEvent[] = [
    chatChunk({ delta: { role: 'assistant', content: '', refusal: null } }),
    ...CHAT_TEXT.map((t) => chatChunk({ delta: { content: t } })),
    tc(0, { name: 'get_weather', arguments: '' }, { id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA', type: 'function' }),
    tc(0, { arguments: '{"city": ' }),
    tc(1, { name: 'get_time', arguments: '' }, { id: 'call_ABCDEFGH1234567890abcdef', type: 'function' }),
    tc(1, { arguments: '{"tz": "Asia/' }),
    tc(0, { arguments: '"東京"}' }),
    tc(1, { arguments: 'Tokyo"}' }),
    chatChunk({ delta: {}, finish_reason: 'tool_calls' }),
    chatChunk(null, {
      usage: {
        prompt_tokens: 82,
        completion_tokens: 41,
        total_tokens: 123,
        prompt_tokens_details: { cached_tokens: 64, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 12,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
    }),
  ];
  if (opts.done !== false) events.push({ data: '[DONE]' });
  return events;
}

// Responses API ---------------------------------------------------------------------------------

export const RESP_TEXT = ['Il fait ', '18 °C à Paris ', '🌤️ — 東京は雨。'];
export const RESP_ARGS = ['{"city":', ' "Paris", ', '"unit": "°C"}'];
export const RESP_SUMMARY = ['Need the weather; ', 'calling get_weather.'];

function responseSkeleton(status: string, output: unknown[], usage: unknown): Record<string, unknown> {
  return {
    id: 'resp_68af4030592c81938ec0a5fbab4a3e9f05438e46b5f69a3b',
    object: 'response',
    created_at: 1756315696,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model: 'gpt-5-2025-08-07',
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: 'medium', summary: 'auto' },
    store: true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage,
    user: null,
    metadata: {},
  };
}

export function responsesFinalOutput(): Record<string, unknown>[] {
  return [
    { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: RESP_SUMMARY.join('') }] },
    {
      id: 'msg_1',
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: RESP_TEXT.join(''), annotations: [], logprobs: [] }],
    },
    {
      id: 'fc_1',
      type: 'function_call',
      status: 'completed',
      call_id: 'call_Z9x8',
      name: 'get_weather',
      arguments: RESP_ARGS.join(''),
    },
  ];
}

export const RESP_USAGE = {
  input_tokens: 320,
  input_tokens_details: { cached_tokens: 256 },
  output_tokens: 96,
  output_tokens_details: { reasoning_tokens: 64 },
  total_tokens: 416,
};

/**
 * A Responses API stream: reasoning summary, a message with multibyte text, a function call with
 * streamed arguments, then the terminal event (`completed`, `incomplete`, `failed`, or none).
 */
export function responsesEvents(end: 'completed' | 'incomplete' | 'failed' | 'none' = 'completed'): SseEvent[] {
  const final = responsesFinalOutput();
  const [reasoning, message, call] = final as [
    Record<string, unknown>,
    Record<string, unknown>,
    Record<string, unknown>,
  ];
  const list: Record<string, unknown>[] = [
    { type: 'response.created', response: responseSkeleton('in_progress', [], null) },
    { type: 'response.in_progress', response: responseSkeleton('in_progress', [], null) },
    { type: 'response.output_item.added', output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } },
    {
      type: 'response.reasoning_summary_part.added',
      item_id: 'rs_1',
      output_index: 0,
      summary_index: 0,
      part: { type: 'summary_text', text: '' },
    },
    ...RESP_SUMMARY.map((delta) => ({
      type: 'response.reasoning_summary_text.delta',
      item_id: 'rs_1',
      output_index: 0,
      summary_index: 0,
      delta,
    })),
    {
      type: 'response.reasoning_summary_text.done',
      item_id: 'rs_1',
      output_index: 0,
      summary_index: 0,
      text: RESP_SUMMARY.join(''),
    },
    {
      type: 'response.reasoning_summary_part.done',
      item_id: 'rs_1',
      output_index: 0,
      summary_index: 0,
      part: { type: 'summary_text', text: RESP_SUMMARY.join('') },
    },
    { type: 'response.output_item.done', output_index: 0, item: reasoning },
    {
      type: 'response.output_item.added',
      output_index: 1,
      item: { id: 'msg_1', type: 'message', status: 'in_progress', role: 'assistant', content: [] },
    },
    {
      type: 'response.content_part.added',
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
    },
    ...RESP_TEXT.map((delta) => ({
      type: 'response.output_text.delta',
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      delta,
      logprobs: [],
    })),
    {
      type: 'response.output_text.done',
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      text: RESP_TEXT.join(''),
      logprobs: [],
    },
    {
      type: 'response.content_part.done',
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      part: { type: 'output_text', text: RESP_TEXT.join(''), annotations: [], logprobs: [] },
    },
    { type: 'response.output_item.done', output_index: 1, item: message },
    {
      type: 'response.output_item.added',
      output_index: 2,
      item: {
        id: 'fc_1',
        type: 'function_call',
        status: 'in_progress',
        call_id: 'call_Z9x8',
        name: 'get_weather',
        arguments: '',
      },
    },
    ...RESP_ARGS.map((delta) => ({
      type: 'response.function_call_arguments.delta',
      item_id: 'fc_1',
      output_index: 2,
      delta,
    })),
    { type: 'response.function_call_arguments.done', item_id: 'fc_1', output_index: 2, arguments: RESP_ARGS.join('') },
    { type: 'response.output_item.done', output_index: 2, item: call },
  ];
  if (end === 'completed')
    list.push({ type: 'response.completed', response: responseSkeleton('completed', final, RESP_USAGE) });
  if (end === 'incomplete') {
    list.push({
      type: 'response.incomplete',
      response: {
        ...responseSkeleton('incomplete', final, RESP_USAGE),
        incomplete_details: { reason: 'max_output_tokens' },
      },
    });
  }
  if (end === 'failed') {
    list.push({
      type: 'response.failed',
      response: {
        ...responseSkeleton('failed', final, RESP_USAGE),
        error: { code: 'server_error', message: 'The model crashed.' },
      },
    });
  }
  return list.map((data, sequence_number) => ({ event: String(data.type), data: { ...data, sequence_number } }));
}

export function responseOf(events: SseEvent[], type: string): Record<string, unknown> {
  const e = events.find((x) => (x.data as { type?: string }).type === type);
  if (!e) throw new Error(`no ${type}`);
  return (e.data as { response: Record<string, unknown> }).response;
}
