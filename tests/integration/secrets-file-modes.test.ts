/**
 * Log files are 0600 whoever writes them: the labels `agenttap run`/`proxy` join into a native Claude Code session
 * after the run land in a file of the runner's own (`<runner pid>.ndjson`), new at that moment.
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { joinClaudeLabels } from '../../src/run/claude-labels.js';
import { scratch } from '../helpers/run.js';

describe('file modes', () => {
  test("Claude Code's labels joined after the run: a new log file, 0600 (umask 022)", () => {
    const sessionDir = scratch('agenttap-modes-session-');
    const index = scratch('agenttap-modes-index-');
    writeFileSync(
      join(sessionDir, '1.ndjson'),
      `${JSON.stringify({ event: 'exchange.response', exchange: 'a-1', headers: { 'request-id': 'req_1' } })}\n`,
      { mode: 0o600 },
    );
    writeFileSync(
      join(index, 'index.jsonl'),
      `${JSON.stringify({ query_source: 'repl_main_thread', request_id: 'req_1' })}\n`,
    );
    const umask = process.umask(0o022);
    try {
      expect(joinClaudeLabels({ env: {}, dir: index, owned: false }, sessionDir, 'sess')).toEqual({
        labelled: 1,
        unmatched: 0,
      });
    } finally {
      process.umask(umask);
    }
    expect((statSync(join(sessionDir, `${process.pid}.ndjson`)).mode & 0o777).toString(8)).toBe('600');
  });
});
