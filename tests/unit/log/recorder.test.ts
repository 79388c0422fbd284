import { describe, expect, it } from 'vitest';
import type { EventBody, EventName } from '../../../src/log/events.js';
import { expandBody } from '../../../src/log/read.js';
import { Recorder, type RequestRecord } from '../../../src/log/recorder.js';
import type { Sink } from '../../../src/log/sink.js';
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
  id, layer: 'fetch', match, method: 'POST', url: 'https://api.anthropic.com/v1/messages', headers: { 'x-api-key': 'sk-ant-secret' },
  body: { model: 'm', system, messages }, bodyBytes: 1, stream: true,
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
      expect(expandBody(r.body, blobs, 'test')).toEqual({ model: 'm', system: 'S'.repeat(400), messages: history.slice(0, 2 * i + 1) });
    });
    // The last request's list link holds only the two new messages.
    const link = blobs.get((requests[2]!.body as { messages: { $list: string } }).messages.$list) as { prefix: string; items: unknown[] };
    expect(link.items.length).toBe(2);
    expect(link.prefix).toBe((requests[1]!.body as { messages: { $list: string } }).messages.$list);
  });

  it('links a list whose tail the agent edited (Claude Code moves cache_control to the newest message)', () => {
    const { sink, events } = memorySink();
    const recorder = new Recorder({ blobMinBytes: 256 });
    recorder.attach({ sink, redactor });
    const marked = (m: { role: string; content: string }) => ({ role: m.role, content: [{ type: 'text', text: m.content, cache_control: { type: 'ephemeral' } }] });
    const plain = (m: { role: string; content: string }) => ({ role: m.role, content: [{ type: 'text', text: m.content }] });
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
    const link = blobs.get((b!.body as { messages: { $list: string } }).messages.$list) as { prefix: string; keep: number; items: unknown[] };
    expect(link.prefix).toBe((a!.body as { messages: { $list: string } }).messages.$list);
    expect(link.keep).toBe(2); // the third message lost its marker: only the first two are shared
    expect(link.items.length).toBe(3);
  });

  it('drops a record whose redaction fails, counts it, and never writes it raw', () => {
    const { sink, events } = memorySink();
    const failing: Redactor = { ...redactor, value: () => { throw new Error('scanner broke'); }, headers: redactor.headers, url: redactor.url, text: redactor.text, stats: redactor.stats };
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
    expect(events.filter((e) => e.event === 'tap.warning').map((e) => e.code)).toEqual(['redaction-failed', 'redaction-failed']);
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
    const names = events.filter((e) => e.event !== 'blob').map((e) => `${e.event} ${(e.exchange as string | undefined) ?? (e.code as string | undefined) ?? ''}`);
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
});
