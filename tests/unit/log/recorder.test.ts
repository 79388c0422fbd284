import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allFileText, scratch } from '../../helpers/run.js';
import type { EventBody, EventName } from '../../../src/log/events.js';
import { expandBody } from '../../../src/log/read.js';
import { Recorder, type RequestRecord } from '../../../src/log/recorder.js';
import { openSink, type Sink } from '../../../src/log/sink.js';
import { createRedactor } from '../../../src/policy/redact/index.js';
import type { Redactor } from '../../../src/policy/redact/types.js';

function memorySink() {
  const events: ({ event: EventName } & Record<string, unknown>)[] = [];
  const sink: Sink = {
    file: 'memory',
    muted: false,
    write<N extends EventName>(event: N, body: EventBody<N>) {
      events.push({ event, ...(JSON.parse(JSON.stringify(body)) as object) });
    },
    flushSync() {},
  };
  return { sink, events };
}

const redactor = createRedactor({ key: Buffer.alloc(32, 7) });
const match = { endpoint: 'anthropic.messages', provider: 'anthropic', operation: 'chat' } as const;
const request = (id: string, messages: unknown[], system = 'S'.repeat(400)): RequestRecord => ({
  id,
  layer: 'fetch',
  match,
  method: 'POST',
  url: 'https://api.anthropic.com/v1/messages',
  headers: { 'x-api-key': 'sk-ant-secret' },
  body: { model: 'm', system, messages },
  bodyBytes: 1,
  stream: true,
});
const turn = (i: number) => ({ role: i % 2 ? 'assistant' : 'user', content: `message ${i} `.repeat(40) });

describe('Recorder', () => {
  it('queues until the writer is attached, then writes in order', () => {
    const { sink, events } = memorySink();
    const recorder = new Recorder({ blobMinBytes: 256 });
    recorder.request(request('a', [turn(0)]));
    recorder.drainSync();
    expect(events).toEqual([]);
    expect(recorder.pending).toBe(1);
    recorder.attach({ sink, redactor });
    recorder.drainSync();
    expect(events.map((e) => e.event)).toEqual(['blob', 'blob', 'blob', 'exchange.request']); // system, message, list link
  });

  it('writes each repeated part once and extends the previous message list', () => {
    const { sink, events } = memorySink();
    const recorder = new Recorder({ blobMinBytes: 256 });
    recorder.attach({ sink, redactor });
    const history = [turn(0), turn(1), turn(2), turn(3), turn(4)];
    for (let n = 1; n <= history.length; n += 2) recorder.request(request(`r${n}`, history.slice(0, n)));
    recorder.drainSync();
    const blobs = new Map(events.filter((e) => e.event === 'blob').map((e) => [e.hash as string, e.content]));
    // 1 system prompt + 5 messages + 3 list links, nothing twice
    expect(blobs.size).toBe(9);
    expect(events.filter((e) => e.event === 'blob').length).toBe(9);
    const requests = events.filter((e) => e.event === 'exchange.request');
    requests.forEach((r, i) => {
      expect(expandBody(r.body, blobs, 'test')).toEqual({
        model: 'm',
        system: 'S'.repeat(400),
        messages: history.slice(0, 2 * i + 1),
      });
    });
    // The last request's list link holds only the two new messages.
    const link = blobs.get((requests[2]!.body as { messages: { $list: string } }).messages.$list) as {
      prefix: string;
      items: unknown[];
    };
    expect(link.items.length).toBe(2);
    expect(link.prefix).toBe((requests[1]!.body as { messages: { $list: string } }).messages.$list);
  });

  it('links a list whose tail the agent edited (Claude Code moves cache_control to the newest message)', () => {
    const { sink, events } = memorySink();
    const recorder = new Recorder({ blobMinBytes: 256 });
    recorder.attach({ sink, redactor });
    const marked = (m: { role: string; content: string }) => ({
      role: m.role,
      content: [{ type: 'text', text: m.content, cache_control: { type: 'ephemeral' } }],
    });
    const plain = (m: { role: string; content: string }) => ({
      role: m.role,
      content: [{ type: 'text', text: m.content }],
    });
    const history = [turn(0), turn(1), turn(2), turn(3), turn(4)];
    const first = [...history.slice(0, 2).map(plain), marked(history[2]!)];
    const second = [...history.slice(0, 3).map(plain), plain(history[3]!), marked(history[4]!)];
    recorder.request(request('a', first));
    recorder.request(request('b', second));
    recorder.drainSync();
    const blobs = new Map(events.filter((e) => e.event === 'blob').map((e) => [e.hash as string, e.content]));
    const [a, b] = events.filter((e) => e.event === 'exchange.request');
    expect(expandBody(a!.body, blobs, 'test')).toMatchObject({ messages: first });
    expect(expandBody(b!.body, blobs, 'test')).toMatchObject({ messages: second });
    const link = blobs.get((b!.body as { messages: { $list: string } }).messages.$list) as {
      prefix: string;
      keep: number;
      items: unknown[];
    };
    expect(link.prefix).toBe((a!.body as { messages: { $list: string } }).messages.$list);
    expect(link.keep).toBe(2); // the third message lost its marker: only the first two are shared
    expect(link.items.length).toBe(3);
  });

  it('redacts a message too small for a blob, the other fields and the headers once per session, however many turns resend them', () => {
    const { sink, events } = memorySink();
    const scanned: string[] = [];
    let headerScans = 0;
    const counting: Redactor = {
      ...redactor,
      value: <T>(v: T) => {
        scanned.push(JSON.stringify(v));
        return redactor.value(v);
      },
      headers: (h) => {
        headerScans++;
        return redactor.headers(h);
      },
    };
    const recorder = new Recorder({ blobMinBytes: 256 });
    recorder.attach({ sink, redactor: counting });
    const toolUse = { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Read', input: {} }] };
    const history: unknown[] = [turn(0), toolUse];
    for (let i = 0; i < 5; i++) {
      recorder.request(request(`r${i}`, [...history]));
      history.push(turn(2 + i));
    }
    recorder.drainSync();
    expect(scanned.filter((s) => s === JSON.stringify(toolUse))).toHaveLength(1);
    expect(scanned.filter((s) => s === JSON.stringify({ model: 'm' }))).toHaveLength(1);
    expect(headerScans).toBe(1);
    // …and written the same each time: inline, as it came.
    const requests = events.filter((e) => e.event === 'exchange.request');
    expect(requests).toHaveLength(5);
    const blobs = new Map(events.filter((e) => e.event === 'blob').map((e) => [e.hash as string, e.content]));
    for (const r of requests) {
      const body = expandBody(r.body, blobs, 'test') as { messages: unknown[] };
      expect(body.messages[1]).toEqual(toolUse);
      expect(r.headers).toEqual({ 'x-api-key': expect.stringMatching(/^\[REDACTED/) });
    }
  });

  it('drops a record whose redaction fails, counts it, and never writes it raw', () => {
    const { sink, events } = memorySink();
    const failing: Redactor = {
      ...redactor,
      value: () => {
        throw new Error('scanner broke');
      },
      headers: redactor.headers,
      url: redactor.url,
      text: redactor.text,
      stats: redactor.stats,
    };
    const notices: string[] = [];
    const recorder = new Recorder({ blobMinBytes: 256, notify: (m) => notices.push(m) });
    recorder.attach({ sink, redactor: failing });
    recorder.request(request('a', [turn(0)]));
    recorder.request(request('b', [turn(2)]));
    recorder.drainSync();
    recorder.writeSessionEnd();
    expect(JSON.stringify(events)).not.toContain('message 0');
    expect(JSON.stringify(events)).not.toContain('sk-ant-secret');
    expect(events.filter((e) => e.event === 'exchange.request')).toEqual([]);
    expect(events.filter((e) => e.event === 'tap.warning').map((e) => e.code)).toEqual([
      'redaction-failed',
      'redaction-failed',
    ]);
    expect(events.at(-1)).toMatchObject({ event: 'session.end', exchanges: 2, dropped: 2 });
    expect(notices.length).toBe(1); // stderr hears of it once
  });

  it('a record that throws while written loses only itself: the ones behind it are written, in order', () => {
    const { sink, events } = memorySink();
    const recorder = new Recorder({ blobMinBytes: 256, notify: () => {} });
    recorder.request({ ...request('bad', [turn(0)]), url: 'not a url' }); // new URL() throws after redaction
    recorder.request(request('good', [turn(2)]));
    recorder.end({ id: 'good', outcome: 'complete', durationMs: 1, bytes: 0 });
    recorder.attach({ sink, redactor });
    expect(() => recorder.drainSync()).not.toThrow();
    recorder.writeSessionEnd();
    const names = events
      .filter((e) => e.event !== 'blob')
      .map((e) => `${e.event} ${(e.exchange as string | undefined) ?? (e.code as string | undefined) ?? ''}`);
    expect(names).toEqual(['exchange.request good', 'exchange.end good', 'tap.warning record-failed', 'session.end ']);
    expect(events.at(-1)).toMatchObject({ dropped: 1 });
    expect(JSON.stringify(events)).not.toContain('not a url');
  });

  it('tells of each record of its own, queued first; session.start alone tells nothing', () => {
    const seen: number[] = [];
    const recorder = new Recorder({ blobMinBytes: 256, onRecord: () => seen.push(recorder.pending) });
    recorder.later(() => {});
    expect({ seen, hasRecords: recorder.hasRecords }).toEqual({ seen: [], hasRecords: false });
    recorder.request(request('a', [turn(0)]));
    recorder.warn('w', 'a warning');
    expect({ seen, hasRecords: recorder.hasRecords }).toEqual({ seen: [2, 3], hasRecords: true });
  });

  it('drops a response record whose redaction fails (headers, body, API error or error), counts it, and the secret never reaches the file', () => {
    const dir = scratch('agenttap-recorder-');
    const sink = openSink({ sessionDir: dir, session: 's' });
    // A scanner that breaks on the secret's own content, as a pathological input would break a real one.
    const SECRET = `sk-ant-api03-${'Zq8'.repeat(30)}AA`;
    const breaksOn =
      <A extends unknown[], R>(fn: (...a: A) => R) =>
      (...args: A): R => {
        if (JSON.stringify(args).includes(SECRET)) throw new Error('scanner broke');
        return fn(...args);
      };
    const failing: Redactor = {
      headers: breaksOn((h: Record<string, string>) => redactor.headers(h)),
      url: breaksOn((u: string) => redactor.url(u)),
      value: breaksOn((v) => redactor.value(v)) as Redactor['value'],
      text: breaksOn((t: string) => redactor.text(t)),
      stats: redactor.stats,
    };
    const recorder = new Recorder({ blobMinBytes: 256, notify: () => {} });
    recorder.attach({ sink, redactor: failing });
    const ok = { status: 200, headers: { 'content-type': 'application/json' }, ttfbMs: 1 };
    const end = { outcome: 'complete' as const, durationMs: 2, bytes: 10 };
    // a: the secret in a response header; b: in the answer; c: in an in-stream API error; d: in a transport error.
    for (const id of ['a', 'b', 'c', 'd']) recorder.request(request(id, [turn(0)]));
    recorder.response({ id: 'a', ...ok, headers: { 'x-echo': SECRET } });
    recorder.end({ id: 'a', ...end, summary: { body: { content: [] }, events: 0 } });
    recorder.response({ id: 'b', ...ok });
    recorder.end({
      id: 'b',
      ...end,
      summary: { body: { content: [{ type: 'text', text: `your key is ${SECRET}` }] }, events: 0 },
    });
    recorder.response({ id: 'c', ...ok });
    recorder.end({
      id: 'c',
      ...end,
      summary: { body: undefined, events: 3, error: { type: 'overloaded_error', message: `bad key ${SECRET}` } },
    });
    recorder.end({
      id: 'd',
      ...end,
      outcome: 'error',
      error: { type: 'ECONNRESET', message: `reset while sending ${SECRET}` },
    });
    recorder.drainSync();
    recorder.writeSessionEnd();
    sink.flushSync();

    expect(allFileText(dir)).not.toContain(SECRET);
    expect(allFileText(dir)).not.toContain('Zq8Zq8Zq8'); // nor any part of it
    const lines = readFileSync(sink.file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const of = (event: string) => lines.filter((l) => l.event === event).map((l) => l.exchange);
    expect(of('exchange.request')).toEqual(['a', 'b', 'c', 'd']); // what could be redacted was written
    expect(of('exchange.response')).toEqual(['b', 'c']);
    expect(of('exchange.end')).toEqual(['a']);
    expect(lines.at(-1)).toMatchObject({ event: 'session.end', exchanges: 4, dropped: 4 });
  });

  it("redacts a parse error's message: a parser quotes the input it stopped at", () => {
    const { sink, events } = memorySink();
    const recorder = new Recorder({ blobMinBytes: 256 });
    recorder.attach({ sink, redactor });
    const SECRET = `sk-ant-api03-${'Qx7'.repeat(30)}AA`;
    recorder.request(request('p', [turn(0)]));
    recorder.end({
      id: 'p',
      outcome: 'complete',
      durationMs: 1,
      bytes: 5,
      summary: { body: undefined, events: 1, parseError: `bad data line: {"key":"${SECRET}"` },
    });
    recorder.drainSync();
    const end = events.find((e) => e.event === 'exchange.end');
    expect(end?.parse_error).toMatch(/^bad data line: /);
    expect(JSON.stringify(events)).not.toContain('Qx7Qx7Qx7');
  });
});
