/**
 * OpenAI plain JSON bodies (completions, responses, `{error:{message,type,code}}`); the streams are
 * reassembled in `openai-chat.ts` (Chat Completions) and `openai-responses.ts` (Responses API).
 */
import { type CodecResult, errorFrom } from './codec.js';
import { isRecord } from './json.js';
import { summarizeChatCompletion } from './openai-chat.js';
import { summarizeResponse } from './openai-responses.js';

/** A plain (non-streamed) OpenAI body: a `ChatCompletion`, a `Response` or an error. */
export function summarizeOpenAIJson(body: unknown): CodecResult {
  const out: CodecResult = { body };
  if (!isRecord(body)) return out;
  const object = body.object;
  if (object === 'response') Object.assign(out, summarizeResponse(body));
  else if (object === 'chat.completion' || Array.isArray(body.choices))
    Object.assign(out, summarizeChatCompletion(body));
  else if (isRecord(body.error)) {
    const error = errorFrom(body);
    if (error) out.error = error;
  }
  return out;
}
