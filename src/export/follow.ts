/**
 * Follows one NDJSON log file as it grows: each call reads only the bytes written since the last one and hands
 * back the complete lines (a line still being written waits for its newline). Every byte is read and split once,
 * so following a session costs in proportion to what it writes, whatever its length — where re-reading the
 * session at each batch would cost its length at each batch (quadratic over a long session).
 * Memory: a read buffer and the one unfinished line.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const CHUNK = 1024 * 1024;
const NEWLINE = 0x0a;

export interface Line {
  text: string;
  /** Byte offset of the line in the file. */
  offset: number;
}

export class LogFollower {
  private fd: number | undefined;
  /** Bytes of the file handed out or held in `partial`. */
  private position = 0;
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private readonly buffer = Buffer.allocUnsafe(CHUNK);

  constructor(private readonly file: string) {}

  /** The complete lines written since the last call (none while the file does not exist yet). */
  read(): Line[] {
    const fd = this.open();
    if (fd === undefined) return [];
    const lines: Line[] = [];
    const size = fstatSync(fd).size;
    while (this.position < size) {
      const n = readSync(fd, this.buffer, 0, Math.min(CHUNK, size - this.position), this.position);
      if (n <= 0) break;
      this.split(this.buffer.subarray(0, n), this.position, lines);
      this.position += n;
    }
    return lines;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): number | undefined {
    if (this.fd !== undefined) return this.fd;
    try {
      this.fd = openSync(this.file, 'r');
    } catch {
      return undefined; // not written yet: the sink opens it at its first record
    }
    return this.fd;
  }

  private split(chunk: Buffer, at: number, lines: Line[]): void {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, nl);
      const offset = at + start - this.partialBytes;
      const bytes = this.partialBytes > 0 ? Buffer.concat([...this.partial, piece]) : piece;
      this.partial = [];
      this.partialBytes = 0;
      if (bytes.length > 0) lines.push({ text: bytes.toString('utf8'), offset });
      start = nl + 1;
    }
    if (start < chunk.length) {
      // Copied: `chunk` is the reused read buffer.
      this.partial.push(Buffer.from(chunk.subarray(start)));
      this.partialBytes += chunk.length - start;
    }
  }
}
