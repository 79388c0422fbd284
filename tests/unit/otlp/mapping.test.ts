/**
 * The OTLP mapping's pure parts: ids that never change for the same input (live export and `export otlp` must
 * agree, today and after an upgrade), provider messages in the conventions' shapes, and content cut to a size
 * while staying valid against the vendored schemas.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { capJson, inputMessages, outputMessages } from '../../../reports/otlp/content.js';
import { agentSpanId, exchangeSpanId, toolSpanId, traceIdOf } from '../../../reports/otlp/ids.js';
import { ROOT } from '../../helpers/run.js';

const schema = (name: string) =>
  JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'otel-genai', `gen-ai-${name}.json`), 'utf8'));
const ajv = new Ajv2020({ strict: false, validateFormats: false });
const validInput = ajv.compile(schema('input-messages'));
const validOutput = ajv.compile(schema('output-messages'));

describe('OTLP ids', () => {
  it('are fixed by the session, pid, exchange and tool call ids (golden values)', () => {
    expect(traceIdOf('cc10')).toBe(traceIdOf('cc10'));
    expect(traceIdOf('cc10')).toMatch(/^[0-9a-f]{32}$/);
    expect({
      trace: traceIdOf('cc10'),
      exchange: exchangeSpanId('cc10', 4242, 'ex-1'),
      agent: agentSpanId('cc10', 4242, 'ex-1'),
      tool: toolSpanId('cc10', 4242, 'ex-1', 'toolu_1'),
    }).toMatchInlineSnapshot(`
      {
        "agent": "2dd379d8e946d72e",
        "exchange": "ac57c18e765a3891",
        "tool": "dc158ab7c27ef5c6",
        "trace": "c55d48d74ecd9206f20cac0e748a88ec",
      }
    `);
    const ids = new Set([
      exchangeSpanId('s', 1, 'a'),
      exchangeSpanId('s', 1, 'b'),
      exchangeSpanId('s', 2, 'a'),
      exchangeSpanId('t', 1, 'a'),
      agentSpanId('s', 1, 'a'),
      toolSpanId('s', 1, 'a', 'x'),
    ]);
    expect(ids.size).toBe(6);
  });
});

describe('content in the conventions shapes', () => {
  it('maps Anthropic and OpenAI messages to valid input and output messages', () => {
    const anthropic = inputMessages([
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'hmm', signature: 'x' },
          { type: 'text', text: 'reading' },
          { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { path: 'a' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'file text' }] },
      { role: 'user', content: [{ type: 'image', source: { type: 'base64', data: 'AAAA' } }] },
    ]);
    expect(anthropic[1]!.parts.map((p) => p.type)).toEqual(['reasoning', 'text', 'tool_call']);
    expect(anthropic[2]).toEqual({
      role: 'tool',
      parts: [{ type: 'tool_call_response', id: 'toolu_1', response: 'file text' }],
    });
    expect(JSON.stringify(anthropic[3])).not.toContain('AAAA');
    const openai = inputMessages([
      { role: 'system', content: 'be brief' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'ok' },
    ]);
    expect(openai[1]!.parts).toEqual([{ type: 'tool_call', id: 'c1', name: 'f', arguments: { x: 1 } }]);
    for (const m of [anthropic, openai]) expect(validInput(m), JSON.stringify(validInput.errors)).toBe(true);
    const out = outputMessages({ content: [{ type: 'text', text: 'done' }], stop_reason: 'end_turn' });
    expect(out).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'done' }] }]);
    expect(validOutput(out)).toBe(true);
  });

  it('cuts content to the cap, says how much, and stays valid', () => {
    const small = [{ role: 'user', parts: [{ type: 'text', content: 'x' }] }];
    expect(capJson(small, 4096)).toBe(JSON.stringify(small));
    const big = inputMessages([
      { role: 'user', content: 'y'.repeat(1_000_000) },
      ...Array.from({ length: 400 }, (_, i) => ({
        role: i % 2 ? 'user' : 'assistant',
        content: `turn ${i} ${'z'.repeat(300)}`,
      })),
    ]);
    const long = capJson(big.slice(0, 1), 8192);
    expect(long.length).toBeLessThanOrEqual(8192);
    expect(long).toMatch(/…\[agenttap: \d+ more characters cut\]/);
    const many = capJson(big, 8192, (cut) => ({ role: 'system', parts: [cut] }));
    expect(many.length).toBeLessThanOrEqual(8192);
    const parsed = JSON.parse(many);
    expect(parsed[0].parts[0]).toMatchObject({ type: 'agenttap.cut', items: expect.any(Number) });
    expect(parsed[0].parts[0].items).toBeGreaterThan(300);
    expect(parsed.at(-1).parts[0].content).toMatch(/^turn 399 /);
    for (const v of [long, many]) expect(validInput(JSON.parse(v)), JSON.stringify(validInput.errors)).toBe(true);
    expect(JSON.parse(capJson({ a: 'q'.repeat(100_000) }, 1024)).a).toMatch(/more characters cut/);
  });
});
