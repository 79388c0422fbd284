/**
 * FileOut encodes each batch into a buffer it keeps from write to write (file-out.ts): what reaches the file must be
 * the lines exactly, whatever their characters, however batches grow or shrink, and a batch larger than the kept
 * buffer may be.
 */
import { closeSync, constants, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { FileOut } from '../../../src/log/file-out.js';
import { scratch } from '../../helpers/run.js';

const open = (file: string) => openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);

it('writes every line exactly, across batches of growing, shrinking and outsized lengths', () => {
  const file = join(scratch('agenttap-file-out-'), 'out.ndjson');
  const fd = open(file);
  const errors: Error[] = [];
  const out = new FileOut(fd, (err) => errors.push(err));
  // Multi-byte characters (2, 3 and 4 bytes in UTF-8) make a line's byte length differ from its length.
  const line = (n: number, fill: string) => `${JSON.stringify({ n, text: fill })}\n`;
  const batches = [
    [line(1, 'ascii'), line(2, 'é'.repeat(10))],
    [line(3, '漢'.repeat(40_000)), line(4, '🙂'.repeat(30_000))], // past the first kept buffer: it grows
    [line(5, 'x')], // smaller again: the grown buffer, reused; nothing of the last batch may follow it
    [line(6, 'ü'.repeat(3_000_000))], // 6 MB, past the largest kept buffer: encoded on its own
    [line(7, 'end')],
  ];
  for (const batch of batches) {
    for (const l of batch) out.write(l);
    out.flushSync();
  }
  closeSync(fd);
  expect(errors).toEqual([]);
  const written = readFileSync(file, 'utf8');
  expect(written).toBe(batches.flat().join(''));
  expect(
    written
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { n: number }).n),
  ).toEqual([1, 2, 3, 4, 5, 6, 7]);
});
