/**
 * Classifier facts from a request body. `shapeFacts` (tool choice, thinking, output format, max tokens) is
 * shared with the report's collector; `requestFacts` builds all facts from one live request, for the rewrite
 * rules' `match.mechanism` at run time. A live request has no thread around it: thread-structure facts take
 * their neutral values, so signatures that need them (a post-compaction continuation, a sub-agent found only
 * through its parent's tool call) are for the report, not for rules.
 */
import { flattenHeaders } from '../exchange/headers.js';
import { isRecord } from '../exchange/json.js';
import { isToolResults, maxTokensOf, messagesOf, roleOf, systemBlocks, toolName, userText } from '../exchange/body.js';
import type { ExchangeFacts } from './types.js';

const TEXT_FOR_FACTS = 2000;

export function shapeFacts(
  body: Record<string, unknown>,
): Pick<ExchangeFacts, 'toolChoice' | 'thinking' | 'outputFormat' | 'maxTokens'> {
  const tc = body.tool_choice;
  const toolChoice =
    isRecord(tc) && typeof tc.name === 'string'
      ? tc.name
      : isRecord(tc) && isRecord(tc.function) && typeof tc.function.name === 'string'
        ? tc.function.name
        : undefined;
  const th = body.thinking;
  const maxTokens = maxTokensOf(body);
  return {
    ...(toolChoice !== undefined ? { toolChoice } : {}),
    thinking:
      (isRecord(th) && th.type !== 'disabled') || body.reasoning !== undefined || body.reasoning_effort !== undefined,
    outputFormat: outputFormat(body),
    ...(maxTokens !== undefined ? { maxTokens } : {}),
  };
}

function outputFormat(body: Record<string, unknown>): ExchangeFacts['outputFormat'] {
  const candidates = [
    isRecord(body.output_config) ? body.output_config.format : undefined,
    body.output_format,
    body.response_format,
    isRecord(body.text) ? body.text.format : undefined,
  ];
  for (const f of candidates) {
    if (!isRecord(f) || typeof f.type !== 'string') continue;
    const schema = isRecord(f.schema)
      ? f.schema
      : isRecord(f.json_schema) && isRecord(f.json_schema.schema)
        ? f.json_schema.schema
        : undefined;
    const props = schema && isRecord(schema.properties) ? Object.keys(schema.properties) : [];
    return { type: f.type, properties: props };
  }
  return undefined;
}

export interface LiveRequest {
  method: string;
  endpoint: string;
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export function requestFacts({ method, endpoint, path, headers, body }: LiveRequest): ExchangeFacts {
  const messages = messagesOf(body);
  const firstUser = messages.find((m) => roleOf(m) === 'user');
  const lastUser = [...messages].reverse().find((m) => roleOf(m) === 'user');
  const system =
    body.system !== undefined
      ? { system: body.system }
      : body.instructions !== undefined
        ? { system: body.instructions }
        : {};
  return {
    method,
    endpoint,
    path,
    hasBody: true,
    headers: flattenHeaders(headers),
    ...(typeof body.model === 'string' ? { model: body.model } : {}),
    stream: body.stream === true,
    system: systemBlocks(system, messages.slice(0, 8)),
    tools: Array.isArray(body.tools) ? body.tools.map(toolName) : [],
    ...shapeFacts(body),
    messageCount: messages.length,
    firstUserText: userText(firstUser).slice(0, TEXT_FOR_FACTS),
    lastUserText: userText(lastUser).slice(0, TEXT_FOR_FACTS),
    toolResults: isToolResults(messages.at(-1)),
    responseTools: [],
    threadPosition: messages.length > 1 ? 'continues' : 'first',
    primaryThread: true,
    afterBrokenStream: false,
  };
}

/**
 * The mechanism id rules match on, for a live request: `<agent>.<mechanism>` (e.g. `claude-code.sub-agent`),
 * or undefined when it is unclassified — a rule never fires on a guess.
 */
export function mechanismOfRequest(
  classify: (facts: ExchangeFacts) => { agent: string; mechanism: string },
  request: LiveRequest,
): string | undefined {
  const c = classify(requestFacts(request));
  return c.mechanism === 'unclassified' ? undefined : `${c.agent}.${c.mechanism}`;
}
