/**
 * OpenAI Chat Completions: chunks reassembled into the `ChatCompletion` that the SDK's
 * `ChatCompletionStream.finalChatCompletion()` produces, and the summary of a `ChatCompletion` body.
 */
import {
  type CodecContext,
  type CodecResult,
  type Json,
  type StreamCodec,
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

interface ChoiceState {
  choice: Json;
  message: Json;
}

const skipTop = (k: string): boolean => k === 'choices' || k === 'obfuscation';
const skipChoice = (k: string): boolean => k === 'delta' || k === 'finish_reason' || k === 'index' || k === 'logprobs';
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
    if (eventName === 'error' || chunk.error) {
      this.error = errorFrom(chunk) ?? { type: 'error', message: data };
      return;
    }
    // Chunks have neither an SSE event name (bar the default, `message`) nor a `type`: one that
    // does is something new. Its data is still merged, as the SDK does.
    if ((eventName !== undefined && eventName !== 'message') || typeof chunk.type === 'string') {
      this.ctx.unknown(eventName ?? String(chunk.type));
    }
    if (!this.top) {
      this.top = {};
      assignExcept(this.top, chunk, skipTop);
    } else if (chunk.id) {
      assignExcept(this.top, chunk, skipTop);
    }
    const choices = chunk.choices;
    if (!Array.isArray(choices)) {
      if (chunk.object !== 'chat.completion.chunk') this.ctx.unknown(str(chunk.object) ?? eventName ?? 'chunk');
      return;
    }
    for (const c of choices) if (isRecord(c)) this.onChoice(c);
  }

  private onChoice(c: Json): void {
    const index = c.index ?? 0;
    if (!safeIndex(index)) return;
    let state = this.choices[index];
    if (!state) {
      const message: Json = {};
      const choice: Json = { finish_reason: c.finish_reason ?? null, index, message, logprobs: null };
      assignExcept(choice, c, skipChoice);
      state = { choice, message };
      this.choices[index] = state;
    }
    const { choice, message } = state;
    const logprobs = c.logprobs;
    if (isRecord(logprobs)) this.mergeLogprobs(choice, logprobs);
    if (c.finish_reason) choice.finish_reason = c.finish_reason;
    assignExcept(choice, c, skipChoice);
    const delta = c.delta;
    if (!isRecord(delta)) return;
    const budget = this.ctx.budget;
    for (const key in delta) {
      const value = delta[key];
      switch (key) {
        case 'content':
          if (value != null) {
            const text = String(value);
            if (text) this.ctx.firstContent();
            message.content = ((message.content as string | null | undefined) || '') + budget.take(text);
          }
          break;
        case 'refusal':
          if (value) {
            const text = String(value);
            this.ctx.firstContent();
            message.refusal = ((message.refusal as string | null | undefined) || '') + budget.take(text);
          }
          break;
        case 'role':
          if (value) message.role = value;
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
    let calls = message.tool_calls as Json[] | undefined;
    if (!calls) message.tool_calls = calls = [];
    for (const t of deltas) {
      if (!isRecord(t)) continue;
      // Some OpenAI-compatible servers omit `index`: a delta with an id starts a new call.
      const index = t.index ?? (t.id || calls.length === 0 ? calls.length : calls.length - 1);
      if (!safeIndex(index)) continue;
      let call = calls[index];
      if (!call) {
        // Each new call's skeleton is charged a little, so a stream of empty calls stays bounded.
        if (!budget.reserve(64)) continue;
        calls[index] = call = {};
      }
      assignExcept(call, t, skipToolCall);
      if (t.id) call.id = t.id;
      if (t.type) call.type = t.type;
      const custom = t.custom;
      if (isRecord(custom)) {
        let snap = call.custom as Json | undefined;
        if (!snap) call.custom = snap = { name: custom.name ?? '', input: '' };
        if (custom.name) snap.name = custom.name;
        const input = str(custom.input);
        if (input) this.ctx.firstContent();
        if (input) snap.input = String(snap.input) + budget.take(input);
      }
      const fn = t.function;
      if (isRecord(fn)) {
        let snap = call.function as Json | undefined;
        if (!snap) call.function = snap = { name: fn.name ?? '', arguments: '' };
        if (fn.name) snap.name = fn.name;
        const args = fn.arguments;
        if (args) this.ctx.firstContent();
        if (args != null) snap.arguments = String(snap.arguments) + budget.take(String(args));
      }
    }
  }

  private onFunctionCall(message: Json, fc: Json): void {
    const budget = this.ctx.budget;
    if (fc.arguments) this.ctx.firstContent();
    const snap = message.function_call as Json | undefined;
    if (!snap) {
      const copy: Json = { ...fc };
      if (typeof fc.arguments === 'string') copy.arguments = budget.take(fc.arguments);
      message.function_call = copy;
      return;
    }
    if (fc.name) snap.name = fc.name;
    if (fc.arguments) snap.arguments = (str(snap.arguments) ?? '') + budget.take(String(fc.arguments));
  }

  private onAudio(message: Json, audio: Json): void {
    const budget = this.ctx.budget;
    let snap = message.audio as Json | undefined;
    if (!isRecord(snap)) message.audio = snap = {};
    if (audio.id != null) snap.id = audio.id;
    if (audio.data != null) snap.data = (str(snap.data) ?? '') + budget.take(String(audio.data));
    if (audio.transcript != null) {
      const transcript = String(audio.transcript);
      if (transcript) this.ctx.firstContent();
      snap.transcript = (str(snap.transcript) ?? '') + budget.take(transcript);
    }
    if (audio.expires_at != null) snap.expires_at = audio.expires_at;
  }

  /** Appends token logprobs as the SDK does; each entry is charged a rough 64 bytes plus its token. */
  private mergeLogprobs(choice: Json, logprobs: Json): void {
    const budget = this.ctx.budget;
    const keep = (entries: unknown): unknown[] => {
      if (!Array.isArray(entries)) return [];
      const out: unknown[] = [];
      for (const e of entries) {
        const token = isRecord(e) ? str(e.token) : undefined;
        if (!budget.reserve(64 + (token?.length ?? 0))) break;
        out.push(e);
      }
      return out;
    };
    const current = choice.logprobs;
    if (isRecord(current)) {
      assignExcept(current, logprobs, (k) => k === 'content' || k === 'refusal');
      for (const key of ['content', 'refusal'] as const) {
        if (!logprobs[key]) continue;
        if (!Array.isArray(current[key])) current[key] = [];
        const list = current[key] as unknown[];
        for (const e of keep(logprobs[key])) list.push(e);
      }
    } else {
      const copy: Json = { ...logprobs };
      if (logprobs.content) copy.content = keep(logprobs.content);
      if (logprobs.refusal) copy.refusal = keep(logprobs.refusal);
      choice.logprobs = copy;
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
  const role = message.role;
  const refusal = message.refusal ?? null;
  const finishReason = finish_reason ?? null;
  if (isRecord(function_call)) {
    return {
      ...choiceRest,
      message: {
        ...audioPart,
        content,
        function_call: { arguments: function_call.arguments, name: function_call.name },
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

export function summarizeChatCompletion(body: Json): Omit<CodecResult, 'body'> {
  const out: Omit<CodecResult, 'body'> = {};
  const usage = normalizeUsage(body.usage);
  if (usage) out.usage = usage;
  const choices = body.choices;
  if (Array.isArray(choices)) {
    const first = choices.find((c) => isRecord(c));
    const reason = isRecord(first) ? str(first.finish_reason) : undefined;
    if (reason) out.stopReason = reason;
  }
  const id = str(body.id);
  if (id) out.responseId = id;
  const model = str(body.model);
  if (model) out.responseModel = model;
  return out;
}
