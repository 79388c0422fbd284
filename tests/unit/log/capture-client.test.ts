/**
 * The capture worker, for real: a Recorder whose writer is the capture client, the compiled worker
 * (dist/src/log/capture-worker.js: run `npm run build` first) with the real redactor and pino sink, read back with
 * the log reader. The agent's-thread redactor here throws on exchange content, so a record redacted on the
 * agent's thread is a failed test, not a slower one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  createCaptureClient,
  LARGE_RESPONSE_BYTES,
  SLICE_CHARS,
  withoutPreload,
  type CaptureClientOptions,
} from '../../../src/log/capture-client.js';
import { BURST_MS, EAGER_CHARS, LAZY_MAX_WAITING, LAZY_MS } from '../../../src/log/capture-pacing.js';
import { BodyHold } from '../../../src/exchange/held.js';
import type { LogEvent } from '../../../src/log/events.js';
import { readExpanded } from '../../../src/log/read.js';
import { Recorder, type RequestRecord } from '../../../src/log/recorder.js';
import { openSink } from '../../../src/log/sink.js';
import { createRedactor } from '../../../src/policy/redact/index.js';
import type { Redactor } from '../../../src/policy/redact/types.js';
import { ROOT, scratch } from '../../helpers/run.js';

const WORKER = pathToFileURL(join(ROOT, 'dist/src/log/capture-worker.js'));
const key = Buffer.alloc(32, 7);
const SECRET = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
const match = { endpoint: 'anthropic.messages', provider: 'anthropic', operation: 'chat' } as const;

/** The agent's-thread redactor: fine for `session.start`, a failure for anything of an exchange. */
function mainRedactor(): Redactor & { exchangeCalls: number } {
  const real = createRedactor({ key });
  const guard = { exchangeCalls: 0 };
  const refuse = () => {
    guard.exchangeCalls++;
    throw new Error("exchange content redacted on the agent's thread");
  };
  return Object.assign(guard, { text: real.text, value: refuse, headers: refuse, url: refuse, stats: real.stats });
}

function setup(
  entry: URL = WORKER,
  exitWaitMs?: number,
  redactor: Redactor = mainRedactor(),
  bounds: Pick<CaptureClientOptions, 'ringBytes' | 'maxSlicedChars'> = {},
) {
  const dir = scratch('agenttap-worker-');
  const notices: string[] = [];
  const openLocalSink = () => openSink({ sessionDir: dir, session: 's' });
  const client = createCaptureClient({
    data: { key, blobMinBytes: 256, sessionDir: dir, session: 's' },
    openLocalSink,
    notify: (m) => notices.push(m),
    entry,
    exitWaitMs,
    ...bounds,
  });
  const recorder = new Recorder({ blobMinBytes: 256, notify: (m) => notices.push(m) });
  recorder.attach({ sink: client.sink, redactor, offload: client.offload });
  recorder.later(({ sink, redactor }) =>
    sink.write('session.start', {
      agenttap: 't',
      node: process.version,
      argv: [redactor.text('node agent.js')],
      cwd: '/',
    }),
  );
  /** What `process.on('exit')` does (src/capture/capture.ts): drain, session.end, flush — all synchronous. */
  const exit = () => {
    recorder.drainSync();
    recorder.writeSessionEnd();
    client.sink.flushSync();
  };
  const events = async () => {
    const out: LogEvent[] = [];
    for await (const { event } of readExpanded(dir)) out.push(event as LogEvent);
    return out;
  };
  return { dir, client, recorder, redactor, notices, exit, events };
}

const request = (id: string, text: string): RequestRecord => ({
  id,
  layer: 'fetch',
  match,
  method: 'POST',
  url: 'https://api.anthropic.com/v1/messages',
  headers: { 'x-api-key': 'sk-ant-api03-secretsecret', 'content-type': 'application/json' },
  text,
  bodyBytes: text.length,
});
const body = (label: string, chars: number) =>
  JSON.stringify({
    model: 'claude-sonnet-5-5',
    max_tokens: 64,
    stream: true,
    system: 'You are a test. '.repeat(40),
    messages: [
      {
        role: 'user',
        content: `${label} token ${SECRET} ${'const value = items[index];\n'.repeat(Math.ceil(chars / 28))}`,
      },
    ],
  });

/** A moment for the worker's messages to arrive (the fake worker writes each as it gets it). */
const pause = (ms = 50) => new Promise((r) => setTimeout(r, ms));

/** For a fake worker: each message it gets as the kinds of what it holds, joined by `+` (one line per message). */
const KINDS = "batch.map((x) => (x.t === 'record' ? x.raw.kind : x.t)).join('+')";
const batches = (sessionDir: string) => readFileSync(join(sessionDir, 'batches'), 'utf8').trim().split('\n');

/** An exchange's response and end, handed over as the tap does it (the end of the agent's turn drains the recorder). */
function finish(recorder: Recorder, id: string) {
  recorder.response({ id, status: 200, headers: {}, ttfbMs: 1 });
  recorder.end({ id, outcome: 'complete', durationMs: 2, bytes: 3 });
  recorder.drainSync();
}

/** A request handed over as the tap does it (the end of the agent's turn drains the recorder), then a pause. */
async function handOver(recorder: Recorder, id: string, text: string, ms = 50) {
  recorder.request(request(id, text));
  recorder.drainSync();
  await pause(ms);
}

describe('capture worker', () => {
  it("redacts and de-duplicates an exchange off the agent's thread, starting only at the first model call", async () => {
    const redactor = mainRedactor();
    const { client, recorder, exit, events, notices } = setup(WORKER, undefined, redactor);
    recorder.drainSync();
    expect(client.mode).toBe('idle'); // session.start alone starts no thread
    const text = body('first', 4 * SLICE_CHARS + 10); // crosses in slices
    recorder.request(request('a', text));
    recorder.response({ id: 'a', status: 200, headers: { 'request-id': 'req_1' }, ttfbMs: 5 });
    recorder.end({
      id: 'a',
      outcome: 'complete',
      durationMs: 9,
      bytes: 10,
      summary: { body: { content: [{ type: 'text', text: `answer ${SECRET}` }] }, events: 3 } as never,
    });
    recorder.request(request('b', body('second', 100)));
    recorder.drainSync();
    expect(client.mode).toBe('worker');
    exit();
    expect(redactor.exchangeCalls).toBe(0);
    expect(notices).toEqual([]);

    const log = await events();
    expect(log.map((e) => e.event)).toEqual([
      'session.start',
      'exchange.request',
      'exchange.response',
      'exchange.end',
      'exchange.request',
      'session.end',
    ]);
    const all = JSON.stringify(log);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain('sk-ant-api03-secretsecret');
    const first = log[1] as Extract<LogEvent, { event: 'exchange.request' }>;
    // Read from the text in the worker: the facts, and the body whole again (the secret as its tag).
    expect(first).toMatchObject({
      'gen_ai.request.model': 'claude-sonnet-5-5',
      'gen_ai.request.max_tokens': 64,
      stream: true,
    });
    const expected = JSON.parse(text) as { messages: { content: string }[] };
    const logged = first.body as typeof expected;
    expect(logged.messages[0]!.content.replace(/\[REDACTED:[^\]]+\]/, SECRET)).toBe(expected.messages[0]!.content);
    expect(log.at(-1)).toMatchObject({ event: 'session.end', exchanges: 2, dropped: 0 });
  });

  it("keeps the order of writes made on the agent's thread while a large body is still crossing", async () => {
    const { recorder, exit, events } = setup();
    for (let i = 0; i < 3; i++) {
      recorder.request(request(`r${i}`, body(`turn ${i}`, 3 * SLICE_CHARS)));
      recorder.warn(`w${i}`, `warning ${i}`);
    }
    recorder.drainSync(); // the slices of r1 and r2 wait for later turns; w0..w2 must not overtake them
    exit();
    const log = await events();
    expect(
      log.map((e) => (e.event === 'exchange.request' ? e.exchange : e.event === 'tap.warning' ? e.code : e.event)),
    ).toEqual(['session.start', 'r0', 'w0', 'r1', 'w1', 'r2', 'w2', 'session.end']);
  });

  // The worker takes tens of ms to start: a burst of requests made meanwhile is what a worker far behind sees.
  it('backpressure: with the ring full and the slices bound reached, an exchange is dropped whole, counted and said once in the log', async () => {
    const { recorder, exit, events, notices } = setup(WORKER, undefined, mainRedactor(), {
      ringBytes: 64 * 1024,
      maxSlicedChars: 100 * 1024,
    });
    const ids = ['a', 'b', 'c', 'd', 'e'];
    for (const id of ids) {
      recorder.request(request(id, body(id, 40 * 1024)));
      recorder.response({ id, status: 200, headers: {}, ttfbMs: 1 });
      recorder.end({ id, outcome: 'complete', durationMs: 2, bytes: 3 });
    }
    recorder.drainSync(); // a: the ring; b, c: slices (80 KB); d, e: over the bound
    exit();
    expect(notices).toEqual([]);
    const log = await events();
    const of = (id: string) => log.filter((e) => 'exchange' in e && e.exchange === id && e.event !== 'tap.warning');
    for (const id of ['a', 'b', 'c']) {
      expect(of(id).map((e) => e.event)).toEqual(['exchange.request', 'exchange.response', 'exchange.end']);
      const logged = (of(id)[0] as { body: { messages: { content: string }[] } }).body;
      expect(logged.messages[0]!.content).toContain(`${id} token [REDACTED`);
    }
    expect(of('d')).toEqual([]);
    expect(of('e')).toEqual([]);
    const warnings = log.filter((e) => e.event === 'tap.warning');
    expect(warnings).toEqual([expect.objectContaining({ code: 'capture-backlog', exchange: 'd' })]);
    expect(log.at(-1)).toMatchObject({ event: 'session.end', exchanges: 5, dropped: 6 });
  });

  it('a record that has no JSON (a BigInt) is lost and counted; the records around it are written', async () => {
    const { recorder, exit, events, notices } = setup();
    recorder.request(request('a', body('a', 100)));
    recorder.end({ id: 'a', outcome: 'complete', durationMs: 1, bytes: 1, summary: { events: 1n } as never });
    recorder.request(request('b', body('b', 100)));
    recorder.drainSync();
    exit();
    expect(notices).toEqual([]);
    const log = await events();
    expect(log.map((e) => e.event)).toEqual(['session.start', 'exchange.request', 'exchange.request', 'session.end']);
    expect(log.at(-1)).toMatchObject({ exchanges: 2, dropped: 1 });
  });

  it("a response's headers wake the worker with their exchange's end, not on their own; records waiting cross as one", async () => {
    const dir = scratch('agenttap-worker-batches-');
    // Writes what each message it gets holds, one line per message; answers flushes like the real one.
    const entry = fakeWorker(dir, 'batches', KINDS);
    const { dir: sessionDir, recorder, exit, notices } = setup(entry);
    await handOver(recorder, 'a', body('a', 100));
    recorder.response({ id: 'a', status: 200, headers: {}, ttfbMs: 1 });
    recorder.drainSync();
    await pause();
    recorder.end({ id: 'a', outcome: 'complete', durationMs: 2, bytes: 3 });
    recorder.drainSync();
    await pause();
    // The worker running, a request in the ring waits for its exchange's end too: one wake-up per exchange.
    await handOver(recorder, 'b', body('b', 100));
    finish(recorder, 'b');
    await pause();
    exit();
    expect(notices).toEqual([]);
    expect(batches(sessionDir)).toEqual(['write+request', 'response+end', 'request+response+end', 'write+flush']);
  });

  it('ends in quick succession (a fast loop) wait and cross together; an end after a pause, or many records, go at once', async () => {
    const dir = scratch('agenttap-worker-burst-');
    const entry = fakeWorker(dir, 'batches', KINDS);
    const { dir: sessionDir, recorder, exit, notices } = setup(entry);
    const exchange = (id: string) => {
      recorder.request(request(id, body(id, 100)));
      finish(recorder, id);
    };
    await handOver(recorder, 'a', body('a', 100));
    finish(recorder, 'a');
    // Within BURST_MS of the end before: b and c wait, and cross together within LAZY_MS.
    await pause(5);
    exchange('b');
    await pause(5);
    exchange('c');
    await pause(LAZY_MS + 100);
    // A pause since the last end: d's end wakes the worker.
    exchange('d');
    await pause(BURST_MS + 50);
    // More records waiting than LAZY_MAX_WAITING: they go without waiting.
    for (let i = 0; i <= LAZY_MAX_WAITING; i++) recorder.response({ id: `e${i}`, status: 200, headers: {}, ttfbMs: 1 });
    recorder.drainSync();
    await pause();
    exit();
    expect(notices).toEqual([]);
    expect(batches(sessionDir)).toEqual([
      'write+request',
      'response+end',
      'request+response+end+request+response+end',
      'request+response+end',
      Array(LAZY_MAX_WAITING + 1)
        .fill('response')
        .join('+'),
      'write+flush',
    ]);
  });

  it('a request left waiting for its end goes on its own within a moment (a long stream), and at once when the ring is half full', async () => {
    const dir = scratch('agenttap-worker-lazy-');
    const entry = fakeWorker(dir, 'batches', KINDS);
    const text = body('a', 100);
    const {
      dir: sessionDir,
      recorder,
      exit,
      notices,
    } = setup(entry, undefined, undefined, {
      ringBytes: Buffer.byteLength(text) * 5,
    });
    await handOver(recorder, 'a', text);
    await handOver(recorder, 'b', text, 400);
    recorder.request(request('c', text));
    await handOver(recorder, 'd', text);
    exit();
    expect(notices).toEqual([]);
    // The fake worker never frees the ring: b waits (two fifths in use), c and d go at once (three and four fifths).
    expect(batches(sessionDir)).toEqual(['write+request', 'request', 'request+request', 'write+flush']);
  });

  it('a large request wakes the worker at once, not with its end', async () => {
    const dir = scratch('agenttap-worker-eager-');
    const entry = fakeWorker(dir, 'batches', KINDS);
    const { dir: sessionDir, recorder, exit, notices } = setup(entry);
    await handOver(recorder, 'a', body('a', 100));
    await handOver(recorder, 'b', body('b', EAGER_CHARS));
    await handOver(recorder, 'c', body('c', EAGER_CHARS / 2));
    exit();
    expect(notices).toEqual([]);
    expect(batches(sessionDir)).toEqual(['write+request', 'request', 'request+write+flush']);
  });

  it("a request's size left out by the tap is counted from its copy into the ring (UTF-8 bytes)", async () => {
    const { recorder, exit, events } = setup();
    const text = body('ünïcødé ✓ 🙂', 100);
    recorder.request({ ...request('a', text), bodyBytes: undefined });
    recorder.end({ id: 'a', outcome: 'complete', durationMs: 2, bytes: 3 });
    recorder.drainSync();
    exit();
    const log = await events();
    expect(log[1]).toMatchObject({ event: 'exchange.request', body_bytes: Buffer.byteLength(text) });
    expect(Buffer.byteLength(text)).toBeGreaterThan(text.length);
  });

  it('a large response crosses as itself (one clone), not as JSON text in a batch; a small one still rides in one', async () => {
    const dir = scratch('agenttap-worker-clones-');
    // Writes how each message crossed (JSON text or a clone) and what it holds; answers flushes like the real one.
    const entry = fakeWorker(
      dir,
      'crossed',
      "(typeof m === 'string' ? 'json ' : 'clone ') + batch.map((x) => (x.t === 'record' ? x.raw.kind + (x.raw.record.summary ? ':' + x.raw.record.summary.body.text.length : '') : x.t)).join('+')",
    );
    const { dir: sessionDir, recorder, exit, notices } = setup(entry);
    const ended = (id: string, chars: number) => {
      recorder.response({ id, status: 200, headers: {}, ttfbMs: 1 });
      recorder.end({
        id,
        outcome: 'complete',
        durationMs: 2,
        bytes: chars + 100,
        summary: { body: { type: 'message', text: 'x'.repeat(chars) }, events: 3 } as never,
      });
      recorder.drainSync();
    };
    await handOver(recorder, 'a', body('a', 100));
    ended('a', LARGE_RESPONSE_BYTES);
    await pause(BURST_MS + 50);
    ended('b', 10);
    await pause();
    exit();
    expect(notices).toEqual([]);
    expect(readFileSync(join(sessionDir, 'crossed'), 'utf8').trim().split('\n')).toEqual([
      'json write+request',
      'json response',
      `clone end:${LARGE_RESPONSE_BYTES}`,
      'json response+end:10',
      'json write+flush',
    ]);
  });

  it('a large response is written whole, redacted, by the worker; one that cannot be cloned is lost and counted', async () => {
    const { recorder, exit, events, notices } = setup();
    const text = `answer ${SECRET} ${'y'.repeat(2 * LARGE_RESPONSE_BYTES)}`;
    for (const [id, value] of [
      ['a', text],
      ['b', () => text], // no structured clone of a function
      ['c', text],
    ] as const) {
      recorder.request(request(id, body(id, 100)));
      recorder.end({
        id,
        outcome: 'complete',
        durationMs: 1,
        bytes: text.length,
        summary: { body: { content: [{ type: 'text', text: value }] }, events: 1 } as never,
      });
    }
    recorder.drainSync();
    exit();
    expect(notices).toEqual([]);
    const log = await events();
    const ends = log.filter((e) => e.event === 'exchange.end');
    expect(ends.map((e) => e.exchange)).toEqual(['a', 'c']);
    for (const end of ends) {
      const logged = (end.body as { content: { text: string }[] }).content[0]!.text;
      expect(logged).toMatch(/^answer \[REDACTED:[^\]]+\] y+$/);
      expect(logged.endsWith('y'.repeat(2 * LARGE_RESPONSE_BYTES))).toBe(true);
    }
    expect(JSON.stringify(log)).not.toContain(SECRET);
    expect(log.at(-1)).toMatchObject({ event: 'session.end', exchanges: 3, dropped: 1 });
  });

  it("an end's held body crosses in the ring and is read by the worker; with no room there, it is read here", async () => {
    const sse = (data: Record<string, unknown>) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
    const stream = (text: string) =>
      [
        sse({
          type: 'message_start',
          message: { id: 'msg_1', role: 'assistant', content: [], usage: { input_tokens: 5 } },
        }),
        sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
        sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
        sse({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 7 } }),
        sse({ type: 'message_stop' }),
      ].join('');
    /** As the tap holds it: the headers at 2 ms, the stream in two chunks at 5 and 9 ms (the text in the second). */
    const held = (text: string) => {
      const hold = BodyHold.for({
        endpoint: 'anthropic.messages',
        contentType: 'text/event-stream',
        status: 200,
        maxCaptureBytes: 1 << 20,
        startMs: 2,
      })!;
      const bytes = Buffer.from(stream(text));
      const cut = bytes.indexOf('content_block_delta');
      hold.add(bytes.subarray(0, cut), 5);
      hold.add(bytes.subarray(cut), 9);
      expect(hold.ended()).toBe(true);
      return hold.body();
    };
    for (const ringBytes of [undefined, 4096]) {
      const { recorder, exit, events, notices, client } = setup(WORKER, undefined, mainRedactor(), { ringBytes });
      const texts = { a: `short ${SECRET}`, b: `long ${SECRET} ${'z'.repeat(8000)}` };
      for (const [id, text] of Object.entries(texts)) {
        recorder.request(request(id, body(id, 100)));
        recorder.end({ id, outcome: 'complete', durationMs: 12, bytes: 0, held: held(text) });
        recorder.drainSync();
        await pause();
      }
      expect(client.mode).toBe('worker');
      exit();
      expect(notices).toEqual([]);
      const log = await events();
      const ends = log.filter((e) => e.event === 'exchange.end');
      expect(ends.map((e) => e.exchange)).toEqual(['a', 'b']);
      for (const end of ends) {
        expect(end).toMatchObject({
          ttft_ms: 9,
          sse_events: 5,
          chunk_ms: [3, 0, 4, 0, 0],
          usage: { output_tokens: 7 },
        });
        const logged = (end.body as { content: { text: string }[] }).content[0]!.text;
        expect(logged).toMatch(/^(short|long) \[REDACTED:[^\]]+\]/);
      }
      expect(JSON.stringify(log)).not.toContain(SECRET);
      expect(log.at(-1)).toMatchObject({ event: 'session.end', exchanges: 2, dropped: 0 });
    }
  });

  it('a process that never calls a model writes its records without a worker', async () => {
    const { client, recorder, exit, events } = setup();
    recorder.warn('sdk-unpatched', 'not patched');
    exit();
    expect(client.mode).toBe('local');
    expect((await events()).map((e) => e.event)).toEqual(['session.start', 'tap.warning', 'session.end']);
  });

  it("a worker that dies loses its records (counted, never written raw) and the rest is written on the agent's thread", async () => {
    const dir = scratch('agenttap-worker-bad-');
    const broken = join(dir, 'broken-worker.mjs');
    writeFileSync(broken, 'throw new Error("broken on purpose");\n');
    // Here the agent's thread redacts for real: it takes over from the dead worker.
    const { client, recorder, exit, events, notices } = setup(
      pathToFileURL(broken),
      undefined,
      createRedactor({ key }),
    );
    recorder.request(request('a', body('lost', 100)));
    recorder.drainSync();
    for (let i = 0; i < 200 && client.mode === 'worker'; i++) await new Promise((r) => setTimeout(r, 25));
    expect(client.mode).toBe('local');
    recorder.response({ id: 'a', status: 200, headers: {}, ttfbMs: 1 });
    exit();
    const log = await events();
    expect(JSON.stringify(log)).not.toContain(SECRET);
    // The local sink opens after session.start went to the dead worker: what is left is in order.
    expect(log.map((e) => e.event)).toEqual(['exchange.response', 'session.end']);
    expect(log.at(-1)).toMatchObject({ dropped: 2 }); // session.start and the request
    expect(notices.filter((n) => n.includes('capture worker stopped')).length).toBe(1);
  });

  it('exit waits for a stuck worker no longer than its deadline', () => {
    const dir = scratch('agenttap-worker-stuck-');
    const stuck = join(dir, 'stuck-worker.mjs');
    writeFileSync(stuck, 'import { parentPort } from "node:worker_threads"; parentPort.on("message", () => {});\n');
    const { recorder, exit, notices } = setup(pathToFileURL(stuck), 300);
    recorder.request(request('a', body('stuck', 100)));
    recorder.drainSync();
    const t = performance.now();
    exit();
    expect(performance.now() - t).toBeLessThan(2000);
    expect(notices).toEqual([expect.stringContaining('did not finish writing the log within 300 ms')]);
  });

  it('the worker is one file of our modules (its start is what an exit after a model call waits for)', () => {
    const source = readFileSync(WORKER, 'utf8');
    const imports = [...source.matchAll(/^import\b[^;]*?from\s*["']([^"']+)["']/gm)].map((m) => m[1]!);
    expect(imports.length).toBeGreaterThan(3);
    expect(imports.filter((specifier) => specifier.startsWith('.'))).toEqual([]);
  });

  it('starts the worker without our preload', () => {
    const env = withoutPreload({
      PATH: '/bin',
      NODE_OPTIONS: '--max-old-space-size=512 --import "/a b/loader" --require=./x.cjs -r y --enable-source-maps',
    });
    expect(env).toEqual({ PATH: '/bin', NODE_OPTIONS: '--max-old-space-size=512 --enable-source-maps' });
    expect(withoutPreload({ NODE_OPTIONS: '--import agenttap/loader' })).toEqual({});
  });
});

/**
 * A stand-in capture worker: appends `line` (a JS expression over the message `m` and its records `batch`) to
 * `<sessionDir>/<file>` per message, counts records done and answers flushes as the real worker does.
 */
function fakeWorker(dir: string, file: string, line: string): URL {
  const entry = join(dir, `${file}-worker.mjs`);
  writeFileSync(
    entry,
    `import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
const state = new Int32Array(workerData.state);
parentPort.on('message', (m) => {
  const batch = typeof m === 'string' ? JSON.parse(m) : [m];
  appendFileSync(join(workerData.sessionDir, ${JSON.stringify(file)}), ${line} + '\\n');
  for (const x of batch) {
    Atomics.add(state, 1, 1);
    if (x.t === 'flush') { Atomics.store(state, 0, x.seq); Atomics.notify(state, 0); }
  }
});
`,
  );
  return pathToFileURL(entry);
}
