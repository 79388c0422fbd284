/**
 * `agenttap replay <session> [--port N] [--speed x | --no-timing] [--strict] [--normalise FILE…] [--exec -- cmd…]`:
 * a recorded session served back as the model API on 127.0.0.1 (src/replay/). Without --exec it prints its URL on
 * stdout and runs until SIGINT/SIGTERM; with --exec it starts the command pointed at itself (as `proxy --exec`)
 * and ends like it. Each miss is answered with an API error and described on stderr and in
 * `<session>/replay-report.txt`; `--strict` ends the command at the first miss and exits 1.
 */
import type { Command } from 'commander';
import { AgentTapError } from '../errors.js';
import { replaySession, type ReplayMiss, type ReplaySession } from '../replay/index.js';
import { endLike, runForeground, type Ended } from '../run/foreground.js';

interface ReplayCliOptions {
  port: string;
  speed: string;
  timing: boolean;
  strict?: boolean;
  normalise: string[];
  exec?: boolean;
  quiet?: boolean;
}

/** Exit status of a `--strict` replay stopped by a miss. */
const EXIT_MISS = 1;

export function registerReplayCommand(program: Command): void {
  program.enablePositionalOptions();
  program
    .command('replay')
    .description('serve a recorded session back as the model API (offline re-runs of an agent)')
    .usage('<session> [options] [--exec -- <command...>]')
    .argument('<session>', 'a session directory (or one <pid>.ndjson file)')
    .argument('[command...]', 'with --exec: the agent and its arguments, after --')
    .option('--port <n>', 'port on 127.0.0.1 (0 picks a free one)', '0')
    .option('--speed <x>', 'play the recorded timing x times faster', '1')
    .option('--no-timing', 'stream without the recorded pauses')
    .option('--strict', 'stop the command at the first request that matches no recording, and exit 1')
    .option('--normalise <file>', 'extra normalisation rules (JSON or YAML; docs/replay.md), repeatable', collect, [])
    .option('--exec', 'run the command after -- with its base URL variables pointing at the replay; stop with it')
    .option('--quiet', 'print nothing but misses')
    // No passThroughOptions: the options may follow <session>; `--` ends them.
    .action(runReplay);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function runReplay(session: string, command: string[], options: ReplayCliOptions): Promise<void> {
  const { port, speed } = checkArguments(command, options);
  const stopped = new AbortController();
  const onMiss = (miss: ReplayMiss) => {
    process.stderr.write(`agenttap replay: ${miss.short}\n`);
    if (options.strict) stopped.abort();
  };
  const replay = await replaySession(session, {
    port,
    speed,
    timing: options.timing,
    normalise: options.normalise,
    cwd: process.cwd(),
    onMiss,
    onWarning: (m) => process.stderr.write(`agenttap replay: ${m}\n`),
  });
  if (options.exec) return execAgainst(command, options, replay, stopped);
  process.stdout.write(`${replay.url}\n`);
  if (!options.quiet)
    process.stderr.write(
      `agenttap replay: ${replay.url} serves ${replay.recorded} recorded exchanges of ${session}\n` +
        `  point the agent at it: ANTHROPIC_BASE_URL=${replay.url}  or  OPENAI_BASE_URL=${replay.url}/v1\n`,
    );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    stopped.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await finish(replay, options);
  if (stopped.signal.aborted) process.exitCode = EXIT_MISS;
}

async function execAgainst(
  command: string[],
  options: ReplayCliOptions,
  replay: ReplaySession,
  stopped: AbortController,
): Promise<void> {
  let ended: Ended | undefined;
  try {
    ended = await runForeground(command, { ...process.env, ...replay.env }, stopped.signal);
  } catch (err) {
    if (!stopped.signal.aborted) {
      await replay.close();
      throw new AgentTapError('AGENTTAP_USAGE', `replay: cannot start ${command[0]}: ${(err as Error).message}`);
    }
  }
  await finish(replay, options);
  if (stopped.signal.aborted || !ended) {
    process.stderr.write('agenttap replay: --strict: stopped the command at the first miss\n');
    process.exitCode = EXIT_MISS;
    return;
  }
  endLike(ended);
}

async function finish(replay: ReplaySession, options: ReplayCliOptions): Promise<void> {
  await replay.close();
  const normalised = replay.hits.filter((h) => h.normalisedBy.length > 0).length;
  const unserved = replay.unserved().length;
  if (options.quiet && replay.misses.length === 0) return;
  process.stderr.write(
    `agenttap replay: ${replay.hits.length} requests matched (${normalised} after normalisation), ` +
      `${replay.misses.length} missed, ${unserved} of ${replay.recorded} recorded not asked for\n`,
  );
}

function checkArguments(command: string[], options: ReplayCliOptions): { port: number; speed: number } {
  const port = Number(options.port);
  if (!/^\d+$/.test(options.port) || port > 65535)
    throw new AgentTapError('AGENTTAP_USAGE', `replay: --port must be 0–65535, got "${options.port}"`);
  const speed = Number(options.speed);
  if (!Number.isFinite(speed) || speed <= 0)
    throw new AgentTapError('AGENTTAP_USAGE', `replay: --speed must be a number above 0, got "${options.speed}"`);
  if (options.exec && command.length === 0)
    throw new AgentTapError('AGENTTAP_USAGE', 'replay: --exec needs a command after --');
  if (!options.exec && command.length > 0)
    throw new AgentTapError(
      'AGENTTAP_USAGE',
      `replay: unexpected arguments ${JSON.stringify(command.join(' '))} (add --exec to run a command)`,
    );
  return { port, speed };
}
