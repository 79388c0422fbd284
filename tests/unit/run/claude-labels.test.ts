import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { joinClaudeLabels, prepareClaudeRawBodies } from '../../../src/run/claude-labels.js';
import { scratch } from '../../helpers/run.js';

describe("Claude Code's raw-body folder", () => {
  const saved = process.env.TMPDIR;
  let tmp: string;
  beforeEach(() => {
    tmp = scratch('agenttap-labels-tmp-');
    process.env.TMPDIR = tmp; // os.tmpdir() reads it at each call
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  });

  test('ours: a private folder (0700) named after this process, turned on through the environment', () => {
    const raw = prepareClaudeRawBodies({})!;
    expect(raw.owned).toBe(true);
    expect(raw.dir.startsWith(join(tmp, `agenttap-cc-raw-${process.pid}-`))).toBe(true);
    expect(statSync(raw.dir).mode & 0o777).toBe(0o700);
    expect(raw.env).toEqual({ CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_LOG_RAW_API_BODIES: `file:${raw.dir}` });
  });

  test("the user's own OTel settings stand: their file: folder is read and kept, anything else is left alone", () => {
    const theirs = join(tmp, 'theirs');
    mkdirSync(theirs);
    expect(prepareClaudeRawBodies({ OTEL_LOG_RAW_API_BODIES: `file:${theirs}` })).toEqual({
      env: {},
      dir: theirs,
      owned: false,
    });
    expect(prepareClaudeRawBodies({ OTEL_LOG_RAW_API_BODIES: '1' })).toBeUndefined();
    expect(prepareClaudeRawBodies({ CLAUDE_CODE_ENABLE_TELEMETRY: '1' })).toBeUndefined();
    expect(prepareClaudeRawBodies({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBeUndefined();

    // Joined into the session, and the user's folder is still there afterwards.
    const sessionDir = scratch('agenttap-labels-session-');
    writeFileSync(
      join(sessionDir, '1.ndjson'),
      `${JSON.stringify({ event: 'exchange.response', exchange: 'a-1', headers: { 'request-id': 'req_1' } })}\n`,
    );
    writeFileSync(
      join(theirs, 'index.jsonl'),
      `${JSON.stringify({ query_source: 'compact', request_id: 'req_1', session_id: 's' })}\n${JSON.stringify({ query_source: 'sdk', request_id: 'req_unknown' })}\n{"torn`,
    );
    writeFileSync(join(theirs, 'u.request.json'), '{}');
    expect(joinClaudeLabels({ env: {}, dir: theirs, owned: false }, sessionDir, 'sess')).toEqual({
      labelled: 1,
      unmatched: 1,
    });
    expect(existsSync(join(theirs, 'u.request.json'))).toBe(true);
    const written = readFileSync(join(sessionDir, `${process.pid}.ndjson`), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(written).toMatchObject([
      {
        event: 'exchange.label',
        exchange: 'a-1',
        source: 'claude-code',
        label: 'compact',
        request_id: 'req_1',
        agent_session: 's',
      },
    ]);
  });

  test('ours is deleted after the join, even with nothing to join', () => {
    const raw = prepareClaudeRawBodies({})!;
    writeFileSync(join(raw.dir, 'x.request.json'), '{"key":"sk-ant-api03-secret"}');
    joinClaudeLabels(raw, scratch('agenttap-labels-empty-'), 'sess');
    expect(existsSync(raw.dir)).toBe(false);
  });
});
