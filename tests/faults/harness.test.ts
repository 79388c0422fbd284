/**
 * The fault matrix's judge, judged: `expectUnnoticed` must fail on each way an agent could notice the tap (a stray
 * stderr line, changed stdout or exit, a stall, a finished call missing from the log, a damaged line) — otherwise a
 * green matrix would prove nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectUnnoticed, type AgentRun, type Expect, type Pair } from './helpers/pair.js';
import { scratch } from '../helpers/run.js';

const base = { v: 1, time: 1, session: 's', pid: 7, ppid: 1, mono: 1 };
const line = (event: string, fields: Record<string, unknown>) =>
  JSON.stringify({ level: 30, ...base, event, ...fields });
const LOG = [
  line('session.start', { agenttap: '0.1.0', node: 'v20', argv: [], cwd: '/' }),
  line('exchange.request', {
    exchange: 'e1',
    layer: 'fetch',
    endpoint: 'anthropic.messages',
    'gen_ai.provider.name': 'anthropic',
    'gen_ai.operation.name': 'chat',
    'http.request.method': 'POST',
    'url.full': 'http://127.0.0.1/v1/messages',
    'server.address': '127.0.0.1',
    stream: true,
    headers: {},
    body_bytes: 2,
  }),
  line('exchange.response', {
    exchange: 'e1',
    'http.response.status_code': 200,
    headers: { 'request-id': 'req_1' },
    ttfb_ms: 1,
  }),
  line('exchange.end', { exchange: 'e1', outcome: 'complete', duration_ms: 2, sse_events: 3, bytes: 10 }),
  line('session.end', { exchanges: 1, dropped: 0, warnings: 0 }),
];

function run(tap: boolean, over: Partial<AgentRun> = {}, log: string[] = LOG): AgentRun {
  const home = scratch('agenttap-judge-');
  const sessionDir = join(home, 'session');
  if (tap) {
    mkdirSync(sessionDir);
    writeFileSync(join(sessionDir, '7.ndjson'), `${log.join('\n')}\n`);
  }
  return {
    tap,
    code: 0,
    signal: null,
    stdout: 'call 1: 200\n',
    stderr: '',
    ms: 1000,
    home,
    sessionDir,
    finished: ['req_1'],
    ...over,
  };
}

const pair = (tapped: Partial<AgentRun> = {}, log?: string[]): Pair => ({
  plain: run(false),
  tapped: run(true, tapped, log),
});
const fails = (p: Pair, want?: Expect) => expect(expectUnnoticed(p, want)).rejects.toThrow();

describe('expectUnnoticed', () => {
  it('passes an identical pair with a complete log', async () => {
    await expectUnnoticed(pair());
  });

  it('fails a stray stderr line, changed stdout, exit code or signal', async () => {
    await fails(pair({ stderr: '(node:7) MaxListenersExceededWarning: …\n' }));
    await fails(pair({ stdout: 'call 1: 500\n' }));
    await fails(pair({ code: 1 }));
    await fails(pair({ code: null, signal: 'SIGINT' }));
  });

  it('where agenttap must speak: exactly one agenttap line, nothing else', async () => {
    await expectUnnoticed(
      pair({ stderr: 'agenttap: logging stopped (ENOSPC); the agent continues without capture.\n' }),
      { notice: true },
    );
    await fails(pair(), { notice: true });
    await fails(pair({ stderr: 'agenttap: one\nagenttap: two\n' }), { notice: true });
    await fails(pair({ stderr: 'agenttap: logging stopped\n    at openSink (sink.js:1:1)\n' }), { notice: true });
  });

  it('fails a tapped run slower than twice the plain one plus the slack', async () => {
    await fails(pair({ ms: 4000 }), { slackMs: 1000 });
  });

  it('fails a finished call missing from the log, or a call without its end', async () => {
    await fails(pair({ finished: ['req_1', 'req_2'] }));
    await fails(
      pair(
        {},
        LOG.filter((l) => !l.includes('"exchange.end"')),
      ),
    );
  });

  it('fails a torn line (tolerated only where the disk filled up) and a record the schema rejects', async () => {
    const torn = [...LOG, LOG[1]!.slice(0, 40)];
    await fails(pair({}, torn));
    await expectUnnoticed(pair({ stderr: 'agenttap: logging stopped\n' }, torn), { notice: true, log: 'valid' });
    await fails(
      pair(
        {},
        LOG.map((l) => l.replace('"outcome":"complete"', '"outcome":"sideways"')),
      ),
    );
  });

  it('after SIGINT/SIGTERM: requires the in-flight exchange "interrupted" and session.end', async () => {
    const interrupted = { code: null, signal: 'SIGINT' as const };
    const p = { plain: run(false, interrupted), tapped: run(true, interrupted) };
    await fails(p, { interrupted: true });
  });
});
