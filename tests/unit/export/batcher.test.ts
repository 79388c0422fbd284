/**
 * The export worker's queue, against an exporter whose answers the test holds: bounded (overflow counted as
 * dropped), one batch in flight, every span settled once, and a collector in trouble recognised at the end.
 */
import { describe, expect, it } from 'vitest';
import { Batcher, type SpanExporterLike } from '../../../src/export/batcher.js';

/** An exporter that keeps each call's callback until the test answers it. */
function heldExporter() {
  const calls: { spans: number[]; done: (r: { code: number; error?: Error }) => void }[] = [];
  const exporter: SpanExporterLike<number> = { export: (spans, done) => void calls.push({ spans, done }) };
  return { exporter, calls };
}

const make = (exporter: SpanExporterLike<number>, maxQueue = 10, maxBatch = 4) => {
  const failures: string[] = [];
  const batcher = new Batcher(exporter, { maxQueue, maxBatch, onChange: () => {}, onFailure: (w) => failures.push(w) });
  return { batcher, failures };
};

describe('Batcher', () => {
  it('holds at most maxQueue spans, counting the rest as dropped', () => {
    const { exporter } = heldExporter();
    const { batcher } = make(exporter);
    batcher.add([1, 2, 3, 4, 5, 6, 7, 8]);
    batcher.add([9, 10, 11, 12]);
    expect(batcher.pending).toBe(10);
    expect(batcher.dropped).toBe(2);
  });

  it('keeps one batch in flight and settles each span once', () => {
    const { exporter, calls } = heldExporter();
    const { batcher, failures } = make(exporter);
    batcher.add([1, 2, 3, 4, 5, 6]);
    batcher.send();
    batcher.send();
    expect(calls.map((c) => c.spans)).toEqual([[1, 2, 3, 4]]);
    calls[0]!.done({ code: 0 });
    expect(batcher.exported).toBe(4);
    batcher.send();
    calls[1]!.done({ code: 1, error: new Error('HTTP 500') });
    calls[1]!.done({ code: 0 }); // a second answer for the same batch changes nothing
    expect({ exported: batcher.exported, dropped: batcher.dropped, pending: batcher.pending }).toEqual({
      exported: 4,
      dropped: 2,
      pending: 0,
    });
    expect(failures).toEqual(['HTTP 500']);
    expect(batcher.stalled(1000)).toBe(true);
  });

  it('drains batch after batch at the end, and gives up the queue after a failure', () => {
    const { exporter, calls } = heldExporter();
    const { batcher } = make(exporter, 20);
    batcher.add(Array.from({ length: 10 }, (_, i) => i));
    let drained = false;
    batcher.drain(() => {
      drained = true;
    });
    calls[0]!.done({ code: 0 });
    expect(calls).toHaveLength(2);
    calls[1]!.done({ code: 1 });
    expect(drained).toBe(true);
    expect({ exported: batcher.exported, dropped: batcher.dropped, pending: batcher.pending }).toEqual({
      exported: 4,
      dropped: 6,
      pending: 0,
    });
  });

  it('counts a batch the exporter throws on as dropped', () => {
    const { batcher } = make({
      export: () => {
        throw new Error('boom');
      },
    });
    batcher.add([1, 2]);
    batcher.send();
    expect(batcher.dropped).toBe(2);
    expect(batcher.pending).toBe(0);
  });

  it('calls a batch in flight past slowMs stalled (a hanging collector)', async () => {
    const { exporter } = heldExporter();
    const { batcher } = make(exporter);
    batcher.add([1]);
    batcher.send();
    expect(batcher.stalled(30)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(batcher.stalled(30)).toBe(true);
  });
});
