/**
 * The capture worker: parses, redacts, de-duplicates and writes an exchange's records off the agent's
 * thread (a 4 MB prompt takes ~200 ms to redact; on the agent's thread that was a 200 ms event-loop stall).
 * Started by src/log/capture-client.ts at the first model call, without our preload (docs/preload.md#workers-and-children).
 *
 *   agent's thread ──(write | record | flush, one ordered port)──► Recorder (this thread) ──► sink (pino)
 *                                                     flush done ──► Atomics.notify(state[FLUSHED])
 *
 * Each message is handled to the end before the next (drainSync), so the file keeps the channel's order.
 * `session.start` and `tap.warning` arrive raw (the agent's thread loads no redactor) and are redacted here.
 * A record whose redaction fails is dropped and counted here; `session.end` (written by the agent's
 * thread, which cannot know) gets this thread's counts added on its way through.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createRedactor } from '../policy/redact/index.js';
import { RingReader, type RingSlot } from './capture-ring.js';
import { DONE, FAILED, FLUSHED, type CaptureWorkerData, type FromWorker, type ToWorker } from './capture-protocol.js';
import type { EventBody, EventName } from './events.js';
import { type ExchangeRecord, Recorder } from './recorder.js';
import { redactingSink } from './redact-events.js';
import { withWrite } from './sink-wrap.js';
import { openSink, type Sink } from './sink.js';

/**
 * Below the agent's threads in the scheduler (Linux: a thread's own nice value; elsewhere nothing): on a busy
 * machine the agent's thread gets the CPU first and this one catches up in the pauses, instead of the two
 * contending right when a request has left and the agent waits for its first token.
 */
export const WORKER_NICE = 5;

function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid !== process.pid) setPriority(tid, WORKER_NICE);
  } catch {
    // not Linux, or not allowed: the worker runs at the agent's priority
  }
}

if (!isMainThread && parentPort) {
  const data = workerData as CaptureWorkerData;
  const state = new Int32Array(data.state);
  const notify = (message: string) => data.notices.postMessage({ t: 'notify', message } satisfies FromWorker);
  const file = openSink({ sessionDir: data.sessionDir, session: data.session, onFailure: notify });
  const recorder = new Recorder({ blobMinBytes: data.blobMinBytes, notify });

  // The time on each line is the agent's thread's (`performance.now()` here counts from this thread's start).
  let mono = 0;
  const sink: Sink = withWrite(file, (event, body) => {
    const counted = event === 'session.end' ? withWorkerCounts(body as EventBody<'session.end'>) : body;
    file.write(event, { ...counted, mono } as typeof body);
  });
  const withWorkerCounts = (end: EventBody<'session.end'>): EventBody<'session.end'> => ({
    ...end,
    dropped: end.dropped + recorder.dropped,
    warnings: end.warnings + recorder.warnings,
  });

  try {
    const redactor = createRedactor({
      key: data.key,
      extraPatterns: data.extraPatterns,
      highEntropy: data.highEntropy,
    });
    // `session.start` and warnings come raw from the agent's thread (it builds no redactor): redacted here.
    const redacting = redactingSink(
      sink,
      () => redactor,
      notify,
      () => recorder.dropped++,
    );
    recorder.attach({ sink: redacting, redactor, sinkRedacts: true });
  } catch (err) {
    // The agent's thread stops waiting on this worker at once, counts what it sent as lost, and goes on alone.
    Atomics.store(state, FAILED, 1);
    Atomics.notify(state, FLUSHED);
    throw err;
  }

  const parts: string[] = [];
  const ring = new RingReader(data.ring.data, data.ring.state);
  // After the first messages waiting (an exit may be waiting for them), and safe alongside the agent's writes.
  // The priority only then: this thread's start is what an exit may be waiting for.
  setImmediate(() => {
    ring.touchPages();
    lowerPriority();
  });
  const handle = (message: ToWorker) => {
    try {
      if (message.t === 'flush') {
        recorder.drainSync();
        sink.flushSync();
        Atomics.store(state, FLUSHED, message.seq);
        Atomics.notify(state, FLUSHED);
        return;
      }
      if (message.t === 'skip') return;
      if (message.t === 'text') {
        parts.push(message.part);
        return;
      }
      mono = message.mono;
      if (message.t === 'write')
        recorder.later(({ sink }) => sink.write(message.event as EventName, message.body as EventBody<EventName>));
      else if (message.slot) return fromRing(message.raw, message.slot);
      else {
        if (message.raw.kind === 'request' && message.textParts !== undefined)
          message.raw.record.text = parts.splice(0).join('');
        recorder.record(message.raw);
      }
      recorder.drainSync();
    } finally {
      Atomics.add(state, DONE, 1);
    }
  };
  /**
   * A record whose bytes are in the ring (a request's body, an end's held body): read where they lie, the slot freed
   * once the record is written.
   */
  const fromRing = (raw: ExchangeRecord, slot: RingSlot) => {
    const lent = (bytes: Buffer) => {
      if (raw.kind === 'request') raw.record.utf8 = bytes;
      else if (raw.kind === 'end' && raw.record.held) raw.record.held.bytes = bytes;
    };
    lent(ring.view(slot));
    try {
      recorder.record(raw);
      recorder.drainSync();
    } finally {
      // Written by now (the writer is attached before the first message); if not, it keeps a copy of its own.
      if (recorder.pending > 0) lent(Buffer.from(ring.view(slot)));
      ring.free(slot);
    }
  };
  // A slice of text as itself; records as a JSON array of those that were waiting, in order.
  parentPort.on('message', (received: ToWorker | string) => {
    if (typeof received !== 'string') handle(received);
    else for (const message of JSON.parse(received) as ToWorker[]) handle(message);
  });
}
