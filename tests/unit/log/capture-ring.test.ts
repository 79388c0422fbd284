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
    const texts = ['a'.repeat(40), 'é€😀'.repeat(5), 'b'.repeat(30), 'ü'.repeat(25), '€'.repeat(20), 'x'];
    for (const text of texts) {
      const slot = writer.put(text);
      expect(slot, text).toBeDefined();
      expect(reader.take(slot!)).toBe(text);
    }
    expect(writer.pending).toBe(0);
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

  it('refuses a text larger than the whole ring', () => {
    const { writer } = ring(16);
    expect(writer.put('z'.repeat(16))).toBeUndefined();
    expect(writer.pending).toBe(0);
  });
});
