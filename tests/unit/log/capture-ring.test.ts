/** The shared ring between the agent's thread and the capture worker: text in, the same text out, bounded. */
import { describe, expect, it } from 'vitest';
import { createRingBuffers, RingReader, RingWriter } from '../../../src/log/capture-ring.js';

const ring = (bytes: number) => {
  const { data, state } = createRingBuffers(bytes);
  return { writer: new RingWriter(data, state), reader: new RingReader(data, state) };
};

describe('capture ring', () => {
  it('gives back each text as it was, across the end of the buffer and through multi-byte characters', () => {
    const { writer, reader } = ring(100);
    const texts = [
      'a'.repeat(40),
      'é€😀'.repeat(5),
      'b'.repeat(30),
      'ü'.repeat(25),
      '€'.repeat(15),
      'x',
      'y'.repeat(9),
    ];
    // One text always waits unread, so the next is written after it and the writes go round the ring.
    let waiting = { text: texts[0]!, slot: writer.put(texts[0]!)! };
    let wrapped = 0;
    for (const text of texts.slice(1)) {
      const slot = writer.put(text);
      expect(slot, text).toBeDefined();
      if (slot!.len2 > 0) wrapped++;
      expect(reader.take(waiting.slot)).toBe(waiting.text);
      waiting = { text, slot: slot! };
    }
    expect(reader.take(waiting.slot)).toBe(waiting.text);
    expect(wrapped).toBeGreaterThan(0);
    expect(writer.pending).toBe(0);
  });

  it("view gives a slot's bytes where they lie (a wrapped one joined), kept from the writer until free", () => {
    const { writer, reader } = ring(100);
    const first = writer.put('a'.repeat(50))!;
    const second = writer.put('é'.repeat(15))!; // 30 bytes at 50
    reader.free(first);
    const wrapped = writer.put('€'.repeat(20))!; // 60 bytes from 80: wraps to the front
    expect(wrapped.len2).toBeGreaterThan(0);
    expect(reader.view(second).toString('utf8')).toBe('é'.repeat(15));
    expect(reader.view(wrapped).toString('utf8')).toBe('€'.repeat(20));
    expect(writer.put('x'.repeat(10))).toBeUndefined(); // nothing freed yet: the viewed bytes stay the reader's
    reader.free(second);
    reader.free(wrapped);
    expect(writer.pending).toBe(0);
  });

  it('starts over at the front once the reader has freed everything', () => {
    const { writer, reader } = ring(100);
    expect(reader.take(writer.put('a'.repeat(70))!)).toBe('a'.repeat(70));
    const next = writer.put('b'.repeat(60))!; // would wrap after the first; starts at 0 instead
    expect(next).toMatchObject({ at: 0, len1: 60, len2: 0 });
    expect(reader.take(next)).toBe('b'.repeat(60));
  });

  it('refuses a text whose UTF-8 does not fit, without taking any room', () => {
    const { writer, reader } = ring(64);
    expect(writer.put('€'.repeat(30))).toBeUndefined(); // 30 characters, 90 bytes
    expect(writer.pending).toBe(0);
    const fits = writer.put('€'.repeat(21))!; // 63 bytes
    expect(reader.take(fits)).toBe('€'.repeat(21));
  });

  it('refuses a text that does not fit in what the reader has not freed, and never overwrites it', () => {
    const { writer, reader } = ring(64);
    const first = writer.put('1'.repeat(40))!;
    expect(writer.put('2'.repeat(30))).toBeUndefined(); // 40 + 30 > 64
    expect(writer.put('€'.repeat(10))).toBeUndefined(); // 30 bytes: the same, in UTF-8
    const second = writer.put('3'.repeat(20))!;
    expect(writer.pending).toBe(60);
    expect(reader.take(first)).toBe('1'.repeat(40));
    const third = writer.put('4'.repeat(30))!; // wraps: 4 bytes at the end, 26 at the start
    expect(third.len2).toBeGreaterThan(0);
    expect(reader.take(second)).toBe('3'.repeat(20));
    expect(reader.take(third)).toBe('4'.repeat(30));
    expect(writer.pending).toBe(0);
  });

  it('refuses a text larger than the whole ring, and takes one that fills it exactly', () => {
    const { writer, reader } = ring(16);
    expect(writer.put('z'.repeat(17))).toBeUndefined();
    expect(writer.pending).toBe(0);
    expect(reader.take(writer.put('z'.repeat(16))!)).toBe('z'.repeat(16));
  });
});
