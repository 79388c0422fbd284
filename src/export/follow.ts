/**
 * Follows one NDJSON log file as it grows: each call reads only the bytes written since the last one and hands
 * back, for each line completed since, its start: the event name and exchange id sit in a line's first bytes
 * (pino writes the common fields first), which is all the export worker needs to know that an exchange ended.
 * Every byte is read once and only line heads are decoded (a 4 MB blob line costs a scan for its newline), so
 * following a session costs in proportion to what it writes, whatever its length; memory is one read buffer and
 * the head of the line still being written.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const CHUNK = 1024 * 1024;
const NEWLINE = 0x0a;
/** Bytes of a line decoded: past `"session":"<128 chars>"`, pid, ppid, event, mono and exchange. */
export const HEAD_BYTES = 512;

export interface LineHead {
  event: string | undefined;
  exchange: string | undefined;
}

const EVENT = /"event":"([^"]+)"/;
const EXCHANGE = /"exchange":"([^"]+)"/;

export class LogFollower {
  private fd: number | undefined;
  private position = 0;
  /** The first HEAD_BYTES of the line being written (its end not read yet). */
  private head: Buffer[] = [];
  private headBytes = 0;
  private readonly buffer = Buffer.allocUnsafe(CHUNK);

  constructor(private readonly file: string) {}

  /** Heads of the lines completed since the last call (none while the file does not exist yet). */
  read(): LineHead[] {
    const fd = this.open();
    if (fd === undefined) return [];
    const lines: LineHead[] = [];
    const size = fstatSync(fd).size;
    while (this.position < size) {
      const n = readSync(fd, this.buffer, 0, Math.min(CHUNK, size - this.position), this.position);
      if (n <= 0) break;
      this.split(this.buffer.subarray(0, n), lines);
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

  private split(chunk: Buffer, lines: LineHead[]): void {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      this.keep(chunk.subarray(start, nl));
      if (this.headBytes > 0) lines.push(parseHead(Buffer.concat(this.head).toString('utf8')));
      this.head = [];
      this.headBytes = 0;
      start = nl + 1;
    }
    this.keep(chunk.subarray(start));
  }

  /** Keeps what is still missing of the current line's head (copied: `chunk` is the reused read buffer). */
  private keep(piece: Buffer): void {
    const room = HEAD_BYTES - this.headBytes;
    if (room <= 0 || piece.length === 0) return;
    const kept = Buffer.from(piece.subarray(0, room));
    this.head.push(kept);
    this.headBytes += kept.length;
  }
}

function parseHead(text: string): LineHead {
  return { event: EVENT.exec(text)?.[1], exchange: EXCHANGE.exec(text)?.[1] };
}
