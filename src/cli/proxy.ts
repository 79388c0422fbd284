/**
 * `agenttap proxy --upstream <url> [--port N] [--exec -- <command…>]`: a capturing reverse proxy on loopback for
 * agents that no Node loader can enter. Without --exec it runs until SIGINT/SIGTERM and prints its URL on stdout
 * (like `agenttap mock`); with --exec it starts the command with ANTHROPIC_BASE_URL / OPENAI_BASE_URL pointing at
 * itself, ends with the command (same exit code or signal) and prints where the session went on stderr.
 */
import type { Command } from 'commander';
import { AgentTapError, EXIT_CONFIG, isConfigError } from '../errors.js';
import { openPipeline, type CapturePipeline } from '../proxy/pipeline.js';
import { startProxyServer, upstreamForDisplay, type ProxyServer } from '../proxy/server.js';
import { loadRules } from '../policy/rewrite/rules-load.js';
import { flagsToEnv } from './env-flags.js';
import { joinClaudeLabels, prepareClaudeRawBodies } from '../run/claude-labels.js';
import { baseUrlEnv, endLike, runForeground, type Ended } from '../run/foreground.js';
import { reportToStderr } from '../run/report.js';
import { sessionSummary } from '../run/summary.js';

interface ProxyOptions {
  upstream: string;
  port: string;
  host: string;
  allowRemote?: boolean;
  exec?: boolean;
  session?: string;
  dir?: string;
  config?: string;
  quiet?: boolean;
  report?: boolean;
  rules?: string;
  dryRun?: boolean;
}

export function registerProxyCommand(program: Command): void {
  program.enablePositionalOptions();
  program
    .command('proxy')
    .description('capture an agent through a local reverse proxy (for native binaries and non-Node agents)')
    .usage('--upstream <url> [options] [--exec -- <command...>]')
    .requiredOption(
      '--upstream <url>',
      'the model API to forward to, e.g. https://api.anthropic.com or https://api.openai.com',
    )
    .option('--port <n>', 'port to listen on (0 picks a free one)', '0')
    .option('--host <address>', 'address to listen on (loopback only unless --allow-remote)', '127.0.0.1')
    .option('--allow-remote', 'allow listening on a non-loopback address (the proxy forwards API credentials)')
    .option('--exec', 'run the command after -- with its base URL variables pointing at the proxy; stop with it')
    .option('--session <id>', 'session id (default: a timestamp and a random suffix)')
    .option('--dir <dir>', 'root folder of sessions (default: .agenttap/sessions)')
    .option('--config <file>', 'config file (default: ./agenttap.config.json when present)')
    .option('--quiet', 'do not print where the session went')
    .option(
      '--report',
      'when the proxy stops (with --exec: when the command has ended), print the session report on stderr',
    )
    .option('--rules <file>', 'rewrite rules (JSON, YAML or .mjs; see `agenttap schema rules`)')
    .option('--dry-run', 'evaluate and log the rules, but forward every request unchanged')
    .argument('[command...]', 'with --exec: the agent and its arguments, after --')
    .passThroughOptions()
    .action(runProxy);
}

async function runProxy(command: string[], options: ProxyOptions): Promise<void> {
  const { upstream, port } = checkArguments(command, options);
  const pipeline = await openProxyPipeline(options, upstream, port);
  let server: ProxyServer;
  try {
    server = await startProxyServer({
      upstream,
      ctx: pipeline.ctx,
      host: options.host,
      port,
      allowRemote: options.allowRemote === true,
    });
  } catch (err) {
    throw new AgentTapError('AGENTTAP_USAGE', `proxy: ${(err as Error).message}`);
  }
  if (options.exec) return execThroughProxy(command, options, server, pipeline);

  process.stdout.write(`${server.url}\n`);
  process.stderr.write(
    `agenttap proxy: ${server.url} → ${upstreamForDisplay(upstream)} (session ${pipeline.session.dir})\n` +
      `  point the agent at it: ANTHROPIC_BASE_URL=${server.url}  or  OPENAI_BASE_URL=${server.url}/v1\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  pipeline.close();
  if (!options.quiet) process.stderr.write(`${sessionSummary(pipeline.session.dir)}\n`);
  if (options.report) await reportToStderr(pipeline.session.dir);
}

function checkArguments(command: string[], options: ProxyOptions): { upstream: URL; port: number } {
  const upstream = parseUpstream(options.upstream);
  const port = Number(options.port);
  if (!/^\d+$/.test(options.port) || port > 65535)
    throw new AgentTapError('AGENTTAP_USAGE', `proxy: --port must be 0–65535, got "${options.port}"`);
  if (options.exec && command.length === 0)
    throw new AgentTapError('AGENTTAP_USAGE', 'proxy: --exec needs a command after --');
  if (!options.exec && command.length > 0) {
    throw new AgentTapError(
      'AGENTTAP_USAGE',
      `proxy: unexpected arguments ${JSON.stringify(command.join(' '))} (add --exec to run a command)`,
    );
  }
  return { upstream, port };
}

/** The capture behind the proxy; an invalid config or rules file ends the process with 78 (EX_CONFIG). */
async function openProxyPipeline(options: ProxyOptions, upstream: URL, port: number): Promise<CapturePipeline> {
  const { overrides, flags } = flagsToEnv(options);
  const env: NodeJS.ProcessEnv = { ...process.env, ...overrides };
  try {
    // Checked with the flag's name first; the pipeline reads the same file again (the ESM cache keeps hooks once).
    if (overrides.AGENTTAP_RULES) await loadRules(overrides.AGENTTAP_RULES, process.cwd(), '--rules');
    return await openPipeline({
      upstream: upstreamForDisplay(upstream),
      listen: `${options.host}:${port}`,
      env,
      flags,
    });
  } catch (err) {
    if (isConfigError(err)) {
      process.stderr.write(`${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
}

/** --exec: the command runs with its base URLs on the proxy; the proxy stops with it and ends like it. */
async function execThroughProxy(
  command: string[],
  options: ProxyOptions,
  server: ProxyServer,
  pipeline: CapturePipeline,
): Promise<void> {
  // Claude Code's own labels for its calls (src/run/claude-labels.ts); inert for any other command.
  const raw = prepareClaudeRawBodies(process.env);
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...raw?.env,
    ...baseUrlEnv(server.url),
  };
  let ended: Ended;
  try {
    ended = await runForeground(command, childEnv);
  } catch (err) {
    await server.close();
    pipeline.close();
    if (raw) joinClaudeLabels(raw, pipeline.session.dir, pipeline.session.id);
    throw new AgentTapError('AGENTTAP_USAGE', `proxy: cannot start ${command[0]}: ${(err as Error).message}`);
  }
  await server.close();
  pipeline.close();
  if (raw) joinClaudeLabels(raw, pipeline.session.dir, pipeline.session.id);
  if (!options.quiet) process.stderr.write(`${sessionSummary(pipeline.session.dir)}\n`);
  if (options.report) await reportToStderr(pipeline.session.dir);
  endLike(ended);
}

/** `user:password@` in the upstream is sent as `Authorization: Basic` (see server.ts), never printed. */
function parseUpstream(value: string): URL {
  // Even a URL that does not parse may hold a password: the error shows it masked.
  const shown = value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AgentTapError(
      'AGENTTAP_USAGE',
      `proxy: --upstream must be a URL such as https://api.anthropic.com, got "${shown}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AgentTapError('AGENTTAP_USAGE', `proxy: --upstream must be http:// or https://, got "${shown}"`);
  }
  if (url.search || url.hash)
    throw new AgentTapError('AGENTTAP_USAGE', `proxy: --upstream takes no query or fragment, got "${shown}"`);
  return url;
}
