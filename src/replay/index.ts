/**
 * `replaySession`: a recorded session served back as the model, for tests and for `agenttap replay`.
 *
 *   const replay = await replaySession('.agenttap/sessions/<id>', { cwd: workDir });
 *   // run the agent with replay.env (ANTHROPIC_BASE_URL, OPENAI_BASE_URL) …
 *   expect(replay.misses).toEqual([]);
 *   await replay.close();
 *
 * Load (recording.ts) → normalise (normalise.ts) → match (match.ts) → serve (serve.ts, render.ts); a miss is
 * answered with an API error and described (miss-report.ts) in `misses`, to `onMiss`, and in the session folder's
 * `replay-report.txt`.
 */
import { statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { baseUrlEnv } from '../run/foreground.js';
import type { Hit } from './match.js';
import { Matcher } from './match.js';
import { describeMiss, type MissText } from './miss-report.js';
import { loadNormaliseFile, Normaliser, SHIPPED } from './normalise.js';
import { loadRecording, type RecordedExchange } from './recording.js';
import { replayRedactor } from './redaction.js';
import { startReplayServer } from './serve.js';

export interface ReplayOptions {
  /** Port on 127.0.0.1 (default 0: a free one). */
  port?: number;
  /** Recorded gaps divided by this (default 1: as recorded). */
  speed?: number;
  /** false: stream without waits (default true). */
  timing?: boolean;
  /** The replayed agent's working directory: normalises `{{cwd}}` and moves recorded paths in served bodies. */
  cwd?: string;
  /** Extra normalisation files (JSON or YAML; docs/replay.md), after the shipped ones. */
  normalise?: string[];
  /** Where the config and redaction key are looked up (default process.env / process.cwd()). */
  env?: NodeJS.ProcessEnv;
  /** Called at each miss, after it is recorded and before the error is answered. */
  onMiss?: (miss: ReplayMiss) => void;
  /** A log warning (a torn last line of the recording). */
  onWarning?: (message: string) => void;
  /** Where the report goes (default `<session>/replay-report.txt`; false: nowhere). */
  reportFile?: string | false;
}

export interface ReplayMiss extends MissText {
  /** 1-based number of the live request. */
  request: number;
}

export interface ReplayHit {
  request: number;
  /** The recorded exchange served (1-based, request order). */
  recorded: number;
  mechanism: string;
  /** Normalisation rules that made the live request equal the recorded one (empty: equal as they were). */
  normalisedBy: string[];
  again: boolean;
}

export interface ReplaySession {
  url: string;
  /** Base URL variables that point an agent at the replay. */
  env: { ANTHROPIC_BASE_URL: string; OPENAI_BASE_URL: string };
  recorded: number;
  hits: ReplayHit[];
  misses: ReplayMiss[];
  /** Recorded exchanges nobody asked for (yet), by number. */
  unserved(): number[];
  /** The report text (what `replay-report.txt` holds). */
  report(): string;
  close(): Promise<void>;
}

export async function replaySession(session: string, options: ReplayOptions = {}): Promise<ReplaySession> {
  const recorded = await loadRecording(session, options.onWarning);
  const normaliser = new Normaliser([...SHIPPED, ...(options.normalise ?? []).map(loadNormaliseFile)]);
  const redactor = await replayRedactor(options.env, options.cwd);
  const matcher = new Matcher(recorded, normaliser, redactor, options.cwd);
  const hits: ReplayHit[] = [];
  const misses: ReplayMiss[] = [];
  const reportFile = options.reportFile === undefined ? defaultReportFile(session) : options.reportFile;
  const report = () => reportText(recorded, hits, misses, matcher.unserved());
  const save = () => {
    if (!reportFile) return;
    try {
      writeFileSync(reportFile, report());
    } catch (err) {
      options.onWarning?.(`cannot write the replay report ${reportFile}: ${(err as Error).message}`);
    }
  };
  const server = await startReplayServer({
    matcher,
    pacing: { speed: options.speed ?? 1, timing: options.timing !== false },
    port: options.port,
    cwd: options.cwd,
    onHit: (hit: Hit, n) =>
      hits.push({
        request: n,
        recorded: hit.recorded.n,
        mechanism: hit.live.mechanism,
        normalisedBy: hit.normalisedBy,
        again: hit.again,
      }),
    onMiss: (miss, n, what) => {
      const described = { request: n, ...describeMiss(miss, n, what) };
      misses.push(described);
      save();
      options.onMiss?.(described);
    },
  });
  return {
    url: server.url,
    env: baseUrlEnv(server.url),
    recorded: recorded.length,
    hits,
    misses,
    unserved: () => matcher.unserved().map((r) => r.n),
    report,
    async close() {
      await server.close();
      save();
    },
  };
}

function defaultReportFile(session: string): string {
  let dir = session;
  try {
    if (statSync(session).isFile()) dir = dirname(session);
  } catch {
    // loadRecording has said what is wrong with it
  }
  return join(dir, 'replay-report.txt');
}

function reportText(
  recorded: readonly RecordedExchange[],
  hits: readonly ReplayHit[],
  misses: readonly ReplayMiss[],
  unserved: readonly RecordedExchange[],
): string {
  const normalised = hits.filter((h) => h.normalisedBy.length > 0);
  const lines = [
    `agenttap replay: ${recorded.length} recorded exchanges; ${hits.length} requests matched (${normalised.length} after normalisation), ${misses.length} missed, ${unserved.length} recorded not asked for`,
  ];
  for (const h of normalised)
    lines.push(
      `  request ${h.request} → recorded ${h.recorded} (${h.mechanism}) after normalisation: ${h.normalisedBy.join(', ')}`,
    );
  for (const h of hits.filter((x) => x.again))
    lines.push(`  request ${h.request} → recorded ${h.recorded} again (asked more often than recorded)`);
  if (unserved.length) lines.push(`  not asked for: ${unserved.map((r) => `${r.n} (${r.endpoint})`).join(', ')}`);
  for (const m of misses) lines.push('', m.full);
  return `${lines.join('\n')}\n`;
}
