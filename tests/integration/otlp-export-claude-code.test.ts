/**
 * Issue 14, acceptance: a recorded Claude Code 2.1.112 session (the task with a sub-agent, `/compact`, then a prompt
 * that triggers automatic compaction and a continuation; three processes under the real loader, against the mock)
 * exported by `agenttap export otlp` to the test receiver over http/json and http/protobuf (decoded with the
 * official .proto files): the span tree, one span per exchange, usage sums equal `report --json`'s, attribute
 * names from the vendored GenAI registry (or `agenttap.*`), content valid against the conventions' JSON schemas,
 * the same ids on every export.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as semconv from '@opentelemetry/semantic-conventions';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock } from '../../src/mock/index.js';
import { BIG_PROMPT, TASK_PROMPT, claudeCodeScript, claudeCodeUsage } from '../fixtures/claude-code/script.js';
import { AGENTTAP_BIN, runClaudeCode } from '../helpers/claude-code.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { ROOT, scratch, spawnBounded } from '../helpers/run.js';

const FIXTURES = join(ROOT, 'tests', 'fixtures', 'otel-genai');
const registry = JSON.parse(readFileSync(join(FIXTURES, 'registry-attributes.json'), 'utf8')) as {
  attributes: string[];
  core: { attributes: string[] };
};
const schema = (name: string) => JSON.parse(readFileSync(join(FIXTURES, `gen-ai-${name}.json`), 'utf8'));

let sessionDir: string;
const receivers: OtlpReceiver[] = [];

beforeAll(async () => {
  // Prompt-cache reads and writes on every call, so the cache usage sums compare non-zero numbers.
  const usage = (req: Parameters<typeof claudeCodeUsage>[0]) => ({
    cache_read_input_tokens: 700,
    cache_creation_input_tokens: 300,
    ...claudeCodeUsage(req),
  });
  const mock = await startMock({ script: claudeCodeScript(), usage });
  try {
    const sessionsDir = scratch('agenttap-otlp-cc-');
    let first: Awaited<ReturnType<typeof runClaudeCode>> | undefined;
    for (const [i, prompt] of [TASK_PROMPT, '/compact', BIG_PROMPT].entries()) {
      const r = await runClaudeCode({
        prompt,
        mockUrl: mock.url,
        via: 'loader',
        continueSession: i > 0,
        cwd: first?.cwd,
        home: first?.home,
        sessionsDir,
        session: 'cc',
      });
      expect(r.code, r.stderr).toBe(0);
      first ??= r;
    }
    sessionDir = join(sessionsDir, 'cc');
  } finally {
    await mock.close();
  }
}, 120_000);

afterAll(async () => {
  for (const r of receivers) await r.close();
});

async function exportTo(protocol: string, ...extra: string[]) {
  const receiver = await startOtlpReceiver();
  receivers.push(receiver);
  const run = await spawnBounded(
    process.execPath,
    [AGENTTAP_BIN, 'export', 'otlp', sessionDir, '--endpoint', receiver.url, '--protocol', protocol, ...extra],
    { env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: undefined }, timeoutMs: 60_000 },
  );
  return { run, receiver, spans: receiver.spans() };
}

async function reportJson() {
  const run = await spawnBounded(process.execPath, [AGENTTAP_BIN, 'report', sessionDir, '--json', '-', '-q'], {
    env: process.env,
    timeoutMs: 60_000,
  });
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as {
    totals: { usage: { input: number; output: number; cacheRead: number; cacheWrite: number } };
    exchanges: { id: string; pid: number; mechanism: string }[];
  };
}

/** A span without what differs between encodings (nothing should): for comparing json with protobuf. */
const comparable = (spans: ReceivedSpan[]) =>
  [...spans].sort((a, b) => (a.spanId < b.spanId ? -1 : 1)).map(({ resource: _r, ...s }) => s);

describe('agenttap export otlp: a Claude Code 2.1.112 session', () => {
  let json: Awaited<ReturnType<typeof exportTo>>;
  let proto: Awaited<ReturnType<typeof exportTo>>;
  let report: Awaited<ReturnType<typeof reportJson>>;
  beforeAll(async () => {
    json = await exportTo('http/json');
    proto = await exportTo('http/protobuf');
    report = await reportJson();
  }, 120_000);

  it('sends every span over both encodings, decoded to the same spans', () => {
    for (const x of [json, proto]) {
      expect(x.run.code, x.run.stderr).toBe(0);
      expect(x.run.stderr).toMatch(new RegExp(`sent ${x.spans.length} spans \\(`));
      expect(x.run.stdout).toBe('');
    }
    expect(json.receiver.requests.every((r) => r.protocol === 'json')).toBe(true);
    expect(proto.receiver.requests.every((r) => r.protocol === 'protobuf')).toBe(true);
    expect(comparable(proto.spans)).toEqual(comparable(json.spans));
  });

  it('makes one CLIENT span per exchange, under one trace', () => {
    const inference = json.spans.filter((s) => s.kind === 3);
    expect(inference.map((s) => `${s.attributes['agenttap.pid']}/${s.attributes['agenttap.exchange']}`).sort()).toEqual(
      report.exchanges.map((e) => `${e.pid}/${e.id}`).sort(),
    );
    expect(new Set(json.spans.map((s) => s.traceId)).size).toBe(1);
    expect(new Set(json.spans.map((s) => s.spanId)).size).toBe(json.spans.length);
  });

  it('draws main invoke_agent → inference and execute_tool → the sub-agent invoke_agent under its tool span', () => {
    const byId = new Map(json.spans.map((s) => [s.spanId, s]));
    const op = (s: ReceivedSpan | undefined) => s?.attributes['gen_ai.operation.name'];
    for (const s of json.spans) if (s.parentSpanId) expect(byId.has(s.parentSpanId), s.name).toBe(true);
    const roots = json.spans.filter((s) => !s.parentSpanId);
    expect(roots.length).toBeGreaterThanOrEqual(1);
    expect(roots.every((s) => op(s) === 'invoke_agent' && s.name === 'invoke_agent claude-code')).toBe(true);
    for (const s of json.spans.filter((x) => op(x) === 'chat' || op(x) === 'execute_tool'))
      expect(op(byId.get(s.parentSpanId)), s.name).toBe('invoke_agent');
    const subs = json.spans.filter((s) => s.name === 'invoke_agent claude-code sub-agent');
    expect(subs.length).toBeGreaterThanOrEqual(1);
    for (const sub of subs) {
      const tool = byId.get(sub.parentSpanId)!;
      expect(tool.name).toBe('execute_tool Agent');
      expect(tool.attributes['gen_ai.tool.call.id']).toBe(sub.attributes['agenttap.spawned_by.tool_call_id']);
      expect(op(byId.get(tool.parentSpanId))).toBe('invoke_agent');
      const under = json.spans.filter((s) => s.parentSpanId === sub.spanId);
      expect(under.some((s) => s.attributes['agenttap.mechanism'] === 'sub-agent')).toBe(true);
      // The tool span covers the sub-agent's run.
      expect(BigInt(tool.startTimeUnixNano) <= BigInt(sub.startTimeUnixNano)).toBe(true);
      expect(BigInt(tool.endTimeUnixNano) >= BigInt(sub.endTimeUnixNano)).toBe(true);
    }
    const inference = json.spans.find((s) => op(s) === 'chat' && s.attributes['agenttap.mechanism'] === 'main-loop')!;
    expect(inference.name).toBe(`chat ${inference.attributes['gen_ai.request.model']}`);
    expect(inference.attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.max_tokens': 32000,
      'gen_ai.request.stream': true,
      'http.response.status_code': 200,
    });
    expect(inference.attributes['gen_ai.response.finish_reasons']).toEqual([expect.any(String)]);
    expect(typeof inference.attributes['gen_ai.response.time_to_first_chunk']).toBe('number');
  });

  it('marks both compactions, and links the continued thread to its compaction call', () => {
    const compactions = json.spans.filter((s) => s.kind === 3 && s.attributes['agenttap.mechanism'] === 'compaction');
    expect(compactions).toHaveLength(2);
    const continued = json.spans.filter((s) => s.attributes['agenttap.compacted_from.exchange'] !== undefined);
    expect(continued.length).toBeGreaterThanOrEqual(1);
    const ids = new Set(compactions.map((s) => s.attributes['agenttap.exchange']));
    for (const c of continued) expect(ids.has(c.attributes['agenttap.compacted_from.exchange'])).toBe(true);
  });

  it("sums usage to the report's totals", () => {
    const sum = (k: string) => json.spans.reduce((n, s) => n + Number(s.attributes[k] ?? 0), 0);
    const u = report.totals.usage;
    expect(u.input * u.output * u.cacheRead * u.cacheWrite).toBeGreaterThan(0);
    expect(sum('gen_ai.usage.input_tokens')).toBe(u.input + u.cacheRead + u.cacheWrite);
    expect(sum('gen_ai.usage.output_tokens')).toBe(u.output);
    expect(sum('gen_ai.usage.cache_read.input_tokens')).toBe(u.cacheRead);
    expect(sum('gen_ai.usage.cache_creation.input_tokens')).toBe(u.cacheWrite);
  });

  it("uses only the conventions' attribute names, and agenttap.* for the rest", () => {
    const known = new Set([...registry.attributes, ...registry.core.attributes]);
    // The core names are the stable ones of @opentelemetry/semantic-conventions.
    const stable = new Set(Object.entries(semconv).flatMap(([k, v]) => (k.startsWith('ATTR_') ? [v] : [])));
    for (const name of registry.core.attributes) expect(stable.has(name), name).toBe(true);
    const names = new Set(json.spans.flatMap((s) => Object.keys(s.attributes)));
    const foreign = [...names].filter((n) => !known.has(n) && !n.startsWith('agenttap.'));
    expect(foreign).toEqual([]);
  });

  it('gives the same trace and span ids when the session is exported again', async () => {
    const again = await exportTo('http/json');
    expect(comparable(again.spans)).toEqual(comparable(json.spans));
  });

  it('with --content: messages, system instructions and tool calls valid against the vendored schemas', async () => {
    const x = await exportTo('http/protobuf', '--content');
    expect(x.run.code, x.run.stderr).toBe(0);
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const validate = {
      'gen_ai.input.messages': ajv.compile(schema('input-messages')),
      'gen_ai.output.messages': ajv.compile(schema('output-messages')),
      'gen_ai.system_instructions': ajv.compile(schema('system-instructions')),
    };
    const counts: Record<string, number> = {};
    for (const s of x.spans)
      for (const [name, check] of Object.entries(validate)) {
        const v = s.attributes[name];
        if (v === undefined) continue;
        counts[name] = (counts[name] ?? 0) + 1;
        expect(check(JSON.parse(String(v))), `${s.name} ${name}: ${JSON.stringify(check.errors)}`).toBe(true);
      }
    const chats = x.spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat').length;
    expect(counts['gen_ai.input.messages']).toBe(chats);
    expect(counts['gen_ai.output.messages']).toBe(chats);
    expect(counts['gen_ai.system_instructions']).toBeGreaterThan(0);
    const tools = x.spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'execute_tool');
    expect(tools.filter((s) => s.attributes['gen_ai.tool.call.result'] !== undefined).length).toBeGreaterThan(0);
    // Without --content, no content at all.
    const contentKeys = ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.tool.call.arguments'];
    expect(json.spans.some((s) => contentKeys.some((k) => k in s.attributes))).toBe(false);
  });
});
