/**
 * OpenAI: Chat Completions chunks reassembled into the `ChatCompletion` that the SDK's
 * `ChatCompletionStream.finalChatCompletion()` produces, Responses API events into the `Response`
 * (the one `response.completed`/`failed`/`incomplete` carries when it arrives), and plain JSON
 * bodies (completions, responses, `{error:{message,type,code}}`).
 */
import {
  type CodecContext,
  type CodecResult,
  type Json,
  type StreamCodec,
  clampStrings,
  errorFrom,
  normalizeUsage,
  str,
} from './codec.js';
import { isRecord } from './json.js';
import type { ApiError } from './types.js';

/** The SDK's limits on choice and tool-call indexes (the API schema caps `n` at 128). */
const MAX_INDEX = 128;

function safeIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v < MAX_INDEX;
}

/** Copies `src`'s keys onto `dst`, except `skip` and `__proto__`. */
function assignExcept(dst: Json, src: Json, skip: (key: string) => boolean): void {
  for (const key in src) {
    if (key === '__proto__' || skip(key)) continue;
    dst[key] = src[key];
  }
}

// ---------------------------------------------------------------------------------------------
// Chat Completions
// ---------------------------------------------------------------------------------------------

interface ChoiceState {
  choice: Json;
  message: Json;
}

const skipTop = (k: string): boolean => k === 'choices' || k === 'obfuscation';
const skipChoice = (k: string): boolean =>
  k === 'delta' || k === 'finish_reason' || k === 'index' || k === 'logprobs';
const skipToolCall = (k: string): boolean =>
  k === 'index' || k === 'id' || k === 'type' || k === 'function' || k === 'custom';

/**
 * Reasoning text that OpenAI-compatible servers (DeepSeek, vLLM, OpenRouter…) stream in the delta.
 * The SDK would keep only the last fragment (it assigns unknown delta keys); these are concatenated.
 */
const REASONING_KEYS = new Set(['reasoning_content', 'reasoning']);

export class ChatStreamCodec implements StreamCodec {
  /** Top-level chunk fields (id, created, model, usage, service_tier…), as the SDK merges them. */
  private top: Json | undefined;
  private choices: (ChoiceState | undefined)[] = [];
  private done = false;
  private error: ApiError | undefined;

  constructor(private readonly ctx: CodecContext) {}

  onEvent(eventName: string | undefined, data: string): void {
    // As the SDK: nothing after `[DONE]` counts.
    if (this.done) return;
    if (data === '[DONE]') {
      this.done = true;
      this.ctx.semanticEnd();
      return;
    }
    const chunk: unknown = JSON.parse(data);
    if (!isRecord(chunk)) {
      this.ctx.unknown(eventName ?? typeof chunk);
      return;
    }
    if (eventName === 'error' || chunk['error']) {
      this.error = errorFrom(chunk) ?? { type: 'error', message: data };
      return;
    }
    // Chunks have neither an SSE event name (bar the default, `message`) nor a `type`: one that
    // does is something new. Its data is still merged, as the SDK does.
    if ((eventName !== undefined && eventName !== 'message') || typeof chunk['type'] === 'string') {
      this.ctx.unknown(eventName ?? String(chunk['type']));
    }
    if (!this.top) {
      this.top = {};
      assignExcept(this.top, chunk, skipTop);
    } else if (chunk['id']) {
      assignExcept(this.top, chunk, skipTop);
    }
    const choices = chunk['choices'];
    if (!Array.isArray(choices)) {
      if (chunk['object'] !== 'chat.completion.chunk') this.ctx.unknown(str(chunk['object']) ?? eventName ?? 'chunk');
      return;
    }
    for (const c of choices) if (isRecord(c)) this.onChoice(c);
  }

  private onChoice(c: Json): void {
    const index = c['index'] ?? 0;
    if (!safeIndex(index)) return;
    let state = this.choices[index];
    if (!state) {
      const message: Json = {};
      const choice: Json = { finish_reason: c['finish_reason'] ?? null, index, message, logprobs: null };
      assignExcept(choice, c, skipChoice);
      state = { choice, message };
      this.choices[index] = state;
    }
    const { choice, message } = state;
    const logprobs = c['logprobs'];
    if (isRecord(logprobs)) this.mergeLogprobs(choice, logprobs);
    if (c['finish_reason']) choice['finish_reason'] = c['finish_reason'];
    assignExcept(choice, c, skipChoice);
    const delta = c['delta'];
    if (!isRecord(delta)) return;
    const budget = this.ctx.budget;
    for (const key in delta) {
      const value = delta[key];
      switch (key) {
        case 'content':
          if (value != null) {
            const text = String(value);
            if (text) this.ctx.firstContent();
            message['content'] = ((message['content'] as string | null | undefined) || '') + budget.take(text);
          }
          break;
        case 'refusal':
          if (value) {
            const text = String(value);
            this.ctx.firstContent();
            message['refusal'] = ((message['refusal'] as string | null | undefined) || '') + budget.take(text);
          }
          break;
        case 'role':
          if (value) message['role'] = value;
          break;
        case 'tool_calls':
          if (Array.isArray(value)) this.onToolCalls(message, value);
          break;
        case 'function_call':
          if (isRecord(value)) this.onFunctionCall(message, value);
          break;
        case 'audio':
          if (isRecord(value)) this.onAudio(message, value);
          break;
        case '__proto__':
          break;
        default:
          if (REASONING_KEYS.has(key) && typeof value === 'string') {
            if (value) this.ctx.firstContent();
            message[key] = (str(message[key]) ?? '') + budget.take(value);
          } else {
            message[key] = value;
          }
      }
    }
  }

  private onToolCalls(message: Json, deltas: unknown[]): void {
    const budget = this.ctx.budget;
    let calls = message['tool_calls'] as Json[] | undefined;
    if (!calls) message['tool_calls'] = calls = [];
    for (const t of deltas) {
      if (!isRecord(t)) continue;
      // Some OpenAI-compatible servers omit `index`: a delta with an id starts a new call.
      const index = t['index'] ?? (t['id'] || calls.length === 0 ? calls.length : calls.length - 1);
      if (!safeIndex(index)) continue;
      let call = calls[index];
      if (!call) {
        // Each new call's skeleton is charged a little, so a stream of empty calls stays bounded.
        if (!budget.reserve(64)) continue;
        calls[index] = call = {};
      }
      assignExcept(call, t, skipToolCall);
      if (t['id']) call['id'] = t['id'];
      if (t['type']) call['type'] = t['type'];
      const custom = t['custom'];
      if (isRecord(custom)) {
        let snap = call['custom'] as Json | undefined;
        if (!snap) call['custom'] = snap = { name: custom['name'] ?? '', input: '' };
        if (custom['name']) snap['name'] = custom['name'];
        const input = str(custom['input']);
        if (input) this.ctx.firstContent();
        if (input) snap['input'] = String(snap['input']) + budget.take(input);
      }
      const fn = t['function'];
      if (isRecord(fn)) {
        let snap = call['function'] as Json | undefined;
        if (!snap) call['function'] = snap = { name: fn['name'] ?? '', arguments: '' };
        if (fn['name']) snap['name'] = fn['name'];
        const args = fn['arguments'];
        if (args) this.ctx.firstContent();
        if (args != null) snap['arguments'] = String(snap['arguments']) + budget.take(String(args));
      }
    }
  }

  private onFunctionCall(message: Json, fc: Json): void {
    const budget = this.ctx.budget;
    if (fc['arguments']) this.ctx.firstContent();
    const snap = message['function_call'] as Json | undefined;
    if (!snap) {
      const copy: Json = { ...fc };
      if (typeof fc['arguments'] === 'string') copy['arguments'] = budget.take(fc['arguments']);
      message['function_call'] = copy;
      return;
    }
    if (fc['name']) snap['name'] = fc['name'];
    if (fc['arguments']) snap['arguments'] = (str(snap['arguments']) ?? '') + budget.take(String(fc['arguments']));
  }

  private onAudio(message: Json, audio: Json): void {
    const budget = this.ctx.budget;
    let snap = message['audio'] as Json | undefined;
    if (!isRecord(snap)) message['audio'] = snap = {};
    if (audio['id'] != null) snap['id'] = audio['id'];
    if (audio['data'] != null) snap['data'] = (str(snap['data']) ?? '') + budget.take(String(audio['data']));
    if (audio['transcript'] != null) {
      const transcript = String(audio['transcript']);
      if (transcript) this.ctx.firstContent();
      snap['transcript'] = (str(snap['transcript']) ?? '') + budget.take(transcript);
    }
    if (audio['expires_at'] != null) snap['expires_at'] = audio['expires_at'];
  }

  /** Appends token logprobs as the SDK does; each entry is charged a rough 64 bytes plus its token. */
  private mergeLogprobs(choice: Json, logprobs: Json): void {
    const budget = this.ctx.budget;
    const keep = (entries: unknown): unknown[] => {
      if (!Array.isArray(entries)) return [];
      const out: unknown[] = [];
      for (const e of entries) {
        const token = isRecord(e) ? str(e['token']) : undefined;
        if (!budget.reserve(64 + (token?.length ?? 0))) break;
        out.push(e);
      }
      return out;
    };
    const current = choice['logprobs'];
    if (isRecord(current)) {
      assignExcept(current, logprobs, (k) => k === 'content' || k === 'refusal');
      for (const key of ['content', 'refusal'] as const) {
        if (!logprobs[key]) continue;
        const list = Array.isArray(current[key]) ? (current[key] as unknown[]) : (current[key] = []);
        for (const e of keep(logprobs[key])) list.push(e);
      }
    } else {
      const copy: Json = { ...logprobs };
      if (logprobs['content']) copy['content'] = keep(logprobs['content']);
      if (logprobs['refusal']) copy['refusal'] = keep(logprobs['refusal']);
      choice['logprobs'] = copy;
    }
  }

  result(): CodecResult {
    const top = this.top;
    if (!top) return this.error ? { body: undefined, error: this.error } : { body: undefined };
    const { id, created, model, system_fingerprint, ...rest } = top;
    const choices: Json[] = [];
    for (const state of this.choices) if (state) choices.push(finalChoice(state));
    // The shape of the SDK's `finalizeChatCompletion`.
    const body: Json = {
      ...rest,
      id,
      choices,
      created,
      model,
      object: 'chat.completion',
      ...(system_fingerprint ? { system_fingerprint } : {}),
    };
    const out: CodecResult = { body };
    Object.assign(out, summarizeChatCompletion(body));
    if (this.error) out.error = this.error;
    return out;
  }
}

function finalChoice({ choice, message }: ChoiceState): Json {
  const { message: _message, finish_reason, index, logprobs, ...choiceRest } = choice;
  const { content = null, function_call, tool_calls, audio, ...messageRest } = message;
  const audioPart = audio ? { audio } : {};
  const role = message['role'];
  const refusal = message['refusal'] ?? null;
  const finishReason = finish_reason ?? null;
  if (isRecord(function_call)) {
    return {
      ...choiceRest,
      message: {
        ...audioPart,
        content,
        function_call: { arguments: function_call['arguments'], name: function_call['name'] },
        role,
        refusal,
      },
      finish_reason: finishReason,
      index,
      logprobs,
    };
  }
  if (Array.isArray(tool_calls)) {
    const calls: Json[] = [];
    for (const call of tool_calls as (Json | undefined)[]) {
      // Holes (a server skipping an index) are dropped; the SDK would leave them in the array.
      if (!call) continue;
      const { function: fn, custom, type, id, ...toolRest } = call;
      if (type === 'custom' && isRecord(custom)) {
        const { input = '', name, ...customRest } = custom;
        calls.push({ ...toolRest, ...(id ? { id } : {}), type, custom: { ...customRest, name, input } });
      } else {
        const { arguments: args, name, ...fnRest } = isRecord(fn) ? fn : ({} as Json);
        calls.push({ ...toolRest, ...(id ? { id } : {}), type, function: { ...fnRest, name, arguments: args } });
      }
    }
    return {
      ...choiceRest,
      index,
      finish_reason: finishReason,
      logprobs,
      message: { ...messageRest, ...audioPart, role, content, refusal, tool_calls: calls },
    };
  }
  return {
    ...choiceRest,
    message: { ...messageRest, ...audioPart, content, role, refusal },
    finish_reason: finishReason,
    index,
    logprobs,
  };
}

function summarizeChatCompletion(body: Json): Omit<CodecResult, 'body'> {
  const out: Omit<CodecResult, 'body'> = {};
  const usage = normalizeUsage(body['usage']);
  if (usage) out.usage = usage;
  const choices = body['choices'];
  if (Array.isArray(choices)) {
    const first = choices.find((c) => isRecord(c));
    const reason = isRecord(first) ? str(first['finish_reason']) : undefined;
    if (reason) out.stopReason = reason;
  }
  const id = str(body['id']);
  if (id) out.responseId = id;
  const model = str(body['model']);
  if (model) out.responseModel = model;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Responses API
// ---------------------------------------------------------------------------------------------

/** Event types that need nothing reassembled (the items they describe arrive whole). */
const RESPONSES_PASSIVE = new Set([
  'response.audio.delta',
  'response.audio.done',
  'response.audio.transcript.delta',
  'response.audio.transcript.done',
  'response.compaction.compacting',
  'response.code_interpreter_call.in_progress',
  'response.code_interpreter_call.interpreting',
  'response.code_interpreter_call.completed',
  'response.file_search_call.in_progress',
  'response.file_search_call.searching',
  'response.file_search_call.completed',
  'response.web_search_call.in_progress',
  'response.web_search_call.searching',
  'response.web_search_call.completed',
  'response.image_generation_call.in_progress',
  'response.image_generation_call.generating',
  'response.image_generation_call.completed',
  'response.image_generation_call.partial_image',
  'response.mcp_call.in_progress',
  'response.mcp_call.completed',
  'response.mcp_call.failed',
  'response.mcp_list_tools.in_progress',
  'response.mcp_list_tools.completed',
  'response.mcp_list_tools.failed',
  'response.shell_call_command.added',
  'response.shell_call_command.delta',
  'response.shell_call_command.done',
  'response.shell_call_output_content.delta',
  'response.shell_call_output_content.done',
  'keepalive',
]);

/** Streamed string fields: event type → [field of the item or part, where it lives, delta?]. */
type Target = 'item' | 'content' | 'summary';
const RESPONSES_TEXT: Record<string, [field: string, target: Target, isDelta: boolean, partType?: string]> = {
  'response.output_text.delta': ['text', 'content', true, 'output_text'],
  'response.output_text.done': ['text', 'content', false, 'output_text'],
  'response.refusal.delta': ['refusal', 'content', true, 'refusal'],
  'response.refusal.done': ['refusal', 'content', false, 'refusal'],
  'response.reasoning_text.delta': ['text', 'content', true, 'reasoning_text'],
  'response.reasoning_text.done': ['text', 'content', false, 'reasoning_text'],
  'response.reasoning_summary_text.delta': ['text', 'summary', true],
  'response.reasoning_summary_text.done': ['text', 'summary', false],
  'response.function_call_arguments.delta': ['arguments', 'item', true],
  'response.function_call_arguments.done': ['arguments', 'item', false],
  'response.custom_tool_call_input.delta': ['input', 'item', true],
  'response.custom_tool_call_input.done': ['input', 'item', false],
  'response.mcp_call_arguments.delta': ['arguments', 'item', true],
  'response.mcp_call_arguments.done': ['arguments', 'item', false],
  'response.code_interpreter_call_code.delta': ['code', 'item', true],
  'response.code_interpreter_call_code.done': ['code', 'item', false],
};

export class ResponsesStreamCodec implements StreamCodec {
  /** The latest in-flight `response` (from created / queued / in_progress). */
  private response: Json | undefined;
  /** Output items by `output_index`, as reassembled from the events. */
  private output: unknown[] = [];
  /** Bytes charged per output index, given back when `output_item.done` replaces the item. */
  private cost: number[] = [];
  /** The complete response of `response.completed` / `failed` / `incomplete`. */
  private final: Json | undefined;
  private error: ApiError | undefined;

  constructor(private readonly ctx: CodecContext) {}

  onEvent(eventName: string | undefined, data: string): void {
    const ev: unknown = JSON.parse(data);
    if (!isRecord(ev)) {
      this.ctx.unknown(eventName ?? typeof ev);
      return;
    }
    const type = typeof ev['type'] === 'string' ? ev['type'] : (eventName ?? '');
    const text = RESPONSES_TEXT[type];
    if (text) {
      this.onText(ev, text[0], text[1], text[2], text[3]);
      return;
    }
    switch (type) {
      case 'response.output_item.added':
        this.onItemAdded(ev, data.length);
        return;
      case 'response.output_item.done':
        this.onItemDone(ev, data.length);
        return;
      case 'response.content_part.added':
      case 'response.content_part.done':
        this.onPart(ev, 'content', 'content_index', data.length, type.endsWith('added'));
        return;
      case 'response.reasoning_summary_part.added':
      case 'response.reasoning_summary_part.done':
        this.onPart(ev, 'summary', 'summary_index', data.length, type.endsWith('added'));
        return;
      case 'response.output_text.annotation.added':
        this.onAnnotation(ev, data.length);
        return;
      case 'response.created':
      case 'response.queued':
      case 'response.in_progress':
        this.onInterim(ev, data.length);
        return;
      case 'response.completed':
      case 'response.failed':
      case 'response.incomplete':
        this.onFinal(ev, data.length);
        return;
      case 'error':
        this.error = errorFrom(ev) ?? { type: 'error', message: data };
        return;
      default:
        if (!RESPONSES_PASSIVE.has(type)) this.ctx.unknown(type);
    }
  }

  private item(ev: Json): Json | undefined {
    const index = ev['output_index'];
    if (typeof index !== 'number') return undefined;
    const item = this.output[index];
    return isRecord(item) ? item : undefined;
  }

  private charge(index: unknown, bytes: number): void {
    if (typeof index === 'number') this.cost[index] = (this.cost[index] ?? 0) + bytes;
  }

  private onText(ev: Json, field: string, target: Target, isDelta: boolean, partType?: string): void {
    const budget = this.ctx.budget;
    const value = isDelta ? ev['delta'] : ev[field];
    if (typeof value !== 'string') return;
    if (isDelta && value) this.ctx.firstContent();
    const item = this.item(ev);
    if (!item) return;
    let holder: Json | undefined = item;
    if (target !== 'item') {
      const list = item[target];
      const at = ev[target === 'content' ? 'content_index' : 'summary_index'];
      const part = Array.isArray(list) && typeof at === 'number' ? list[at] : undefined;
      holder = isRecord(part) && (partType === undefined || part['type'] === partType) ? part : undefined;
    }
    if (!holder) return;
    const current = str(holder[field]) ?? '';
    if (isDelta) {
      const kept = budget.take(value);
      holder[field] = current + kept;
      this.charge(ev['output_index'], kept.length);
    } else if (value !== current) {
      // The full value replaces the reassembled one, if the limit allows what it adds.
      const extra = Math.max(0, value.length - current.length);
      if (budget.reserve(extra)) {
        holder[field] = value;
        this.charge(ev['output_index'], extra);
      }
    }
  }

  private onItemAdded(ev: Json, size: number): void {
    const index = ev['output_index'];
    const item = ev['item'];
    if (!safeOutputIndex(index) || !isRecord(item)) return;
    if (!this.ctx.budget.reserve(size)) return;
    this.output[index] = item;
    this.cost[index] = size;
  }

  private onItemDone(ev: Json, size: number): void {
    const index = ev['output_index'];
    const item = ev['item'];
    if (!safeOutputIndex(index) || !isRecord(item)) return;
    if (this.ctx.budget.replace(this.cost[index] ?? 0, size)) {
      this.output[index] = item;
      this.cost[index] = size;
    } else {
      // Past the limit the reassembled (cut) item stays, with the final status.
      const current = this.output[index];
      if (isRecord(current) && item['status'] !== undefined) current['status'] = item['status'];
    }
  }

  private onPart(ev: Json, key: 'content' | 'summary', indexKey: string, size: number, added: boolean): void {
    const item = this.item(ev);
    const at = ev[indexKey];
    const part = ev['part'];
    if (!item || typeof at !== 'number' || !safeOutputIndex(at) || !isRecord(part)) return;
    let list: unknown[];
    if (Array.isArray(item[key])) list = item[key] as unknown[];
    else if (added) item[key] = list = [];
    else return;
    const budget = this.ctx.budget;
    if (added) {
      if (!budget.reserve(size)) return;
      list[at] = part;
      this.charge(ev['output_index'], size);
    } else if (list[at] !== undefined) {
      // The finished part replaces the reassembled one, if the limit allows what it adds.
      const extra = Math.max(0, partTextLength(part) - partTextLength(list[at]));
      if (budget.reserve(extra)) {
        list[at] = part;
        this.charge(ev['output_index'], extra);
      }
    }
  }

  private onAnnotation(ev: Json, size: number): void {
    const item = this.item(ev);
    const contentIndex = ev['content_index'];
    const at = ev['annotation_index'];
    if (!item || typeof contentIndex !== 'number' || !safeOutputIndex(at)) return;
    const content = item['content'];
    const part = Array.isArray(content) ? content[contentIndex] : undefined;
    if (!isRecord(part) || !this.ctx.budget.reserve(size)) return;
    const list = Array.isArray(part['annotations']) ? part['annotations'] : (part['annotations'] = []);
    (list as unknown[])[at] = ev['annotation'];
    this.charge(ev['output_index'], size);
  }

  private onInterim(ev: Json, size: number): void {
    const response = ev['response'];
    if (!isRecord(response)) return;
    this.response = response;
    const output = response['output'];
    // A response that resumes with output already in it (background mode): adopt it.
    if (Array.isArray(output) && output.length > 0 && this.output.length === 0 && this.ctx.budget.reserve(size)) {
      this.output = output.slice();
      this.cost = [size];
    }
  }

  private onFinal(ev: Json, size: number): void {
    const response = ev['response'];
    if (!isRecord(response)) return;
    // As the SDK: a lifecycle event without `output` gets the reassembled one.
    if (!Array.isArray(response['output'])) response['output'] = this.denseOutput();
    const budget = this.ctx.budget;
    let charged = 0;
    for (const c of this.cost) charged += c ?? 0;
    if (!budget.replace(charged, size)) {
      // Larger than what is left of the limit: cut the strings of its output to fit (the
      // metadata — status, usage, ids — stays whole).
      budget.used = Math.max(0, budget.used - charged);
      budget.used += clampStrings(response['output'], Math.max(0, budget.max - budget.used));
      budget.truncated = true;
    }
    this.final = response;
    this.output = [];
    this.cost = [];
    this.ctx.semanticEnd();
  }

  private denseOutput(): unknown[] {
    const out: unknown[] = [];
    for (const item of this.output) if (item !== undefined) out.push(item);
    return out;
  }

  result(): CodecResult {
    let body: Json | undefined = this.final;
    if (!body && (this.response || this.output.length > 0)) {
      body = { ...(this.response ?? {}), output: this.denseOutput() };
    }
    const out: CodecResult = { body };
    if (body) Object.assign(out, summarizeResponse(body));
    if (this.error) out.error = this.error;
    return out;
  }
}

/** The streamed text a content or summary part holds. */
function partTextLength(part: unknown): number {
  if (!isRecord(part)) return 0;
  return (str(part['text']) ?? str(part['refusal']) ?? '').length;
}

function safeOutputIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v < 65_536;
}

function summarizeResponse(body: Json): Omit<CodecResult, 'body'> {
  const out: Omit<CodecResult, 'body'> = {};
  const usage = normalizeUsage(body['usage']);
  if (usage) out.usage = usage;
  const status = str(body['status']);
  const details = body['incomplete_details'];
  const reason = isRecord(details) ? str(details['reason']) : undefined;
  const stopReason = status === 'incomplete' && reason ? reason : status;
  if (stopReason) out.stopReason = stopReason;
  const id = str(body['id']);
  if (id) out.responseId = id;
  const model = str(body['model']);
  if (model) out.responseModel = model;
  // A failed response carries `error: {code, message}`.
  if (isRecord(body['error'])) {
    const error = errorFrom(body);
    if (error) out.error = error;
  }
  return out;
}

/** A plain (non-streamed) OpenAI body: a `ChatCompletion`, a `Response` or an error. */
export function summarizeOpenAIJson(body: unknown): CodecResult {
  const out: CodecResult = { body };
  if (!isRecord(body)) return out;
  const object = body['object'];
  if (object === 'response') Object.assign(out, summarizeResponse(body));
  else if (object === 'chat.completion' || Array.isArray(body['choices'])) Object.assign(out, summarizeChatCompletion(body));
  else if (isRecord(body['error'])) {
    const error = errorFrom(body);
    if (error) out.error = error;
  }
  return out;
}
