/**
 * The live export's log follower: only what was written since the last look, a line only once complete, the
 * event and exchange from a line's head — and a huge line is never held whole.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEAD_BYTES, LogFollower } from '../../../src/export/follow.js';
import { scratch } from '../../helpers/run.js';

const line = (event: string, extra: Record<string, unknown> = {}) =>
  `${JSON.stringify({ level: 30, time: 1, v: 1, session: 's', pid: 1, ppid: 0, event, mono: 1, ...extra })}\n`;

describe('LogFollower', () => {
  it('reads nothing until the file exists, then each complete line once', () => {
    const file = join(scratch(), '1.ndjson');
    const follower = new LogFollower(file);
    expect(follower.read()).toEqual([]);
    writeFileSync(file, line('session.start') + line('exchange.request', { exchange: '1-1' }));
    expect(follower.read()).toEqual([
      { event: 'session.start', exchange: undefined },
      { event: 'exchange.request', exchange: '1-1' },
    ]);
    expect(follower.read()).toEqual([]);
    const end = line('exchange.end', { exchange: '1-1' });
    appendFileSync(file, end.slice(0, 40));
    expect(follower.read()).toEqual([]); // torn: waits for its newline
    appendFileSync(file, end.slice(40));
    expect(follower.read()).toEqual([{ event: 'exchange.end', exchange: '1-1' }]);
    follower.close();
  });

  it('steps over a line far larger than its buffer, keeping only its head', () => {
    const file = join(scratch(), '1.ndjson');
    const big = line('blob', { hash: 'h', content: 'x'.repeat(3 * 1024 * 1024) });
    writeFileSync(file, big.slice(0, 1_500_000));
    const follower = new LogFollower(file);
    expect(follower.read()).toEqual([]);
    // Of the 1.5 MB of the unfinished line, it holds the head only.
    expect((follower as unknown as { headBytes: number }).headBytes).toBe(HEAD_BYTES);
    appendFileSync(file, big.slice(1_500_000) + line('exchange.end', { exchange: '1-2' }));
    expect(follower.read()).toEqual([
      { event: 'blob', exchange: undefined },
      { event: 'exchange.end', exchange: '1-2' },
    ]);
    follower.close();
  });
});
