/**
 * `agenttap run [options] -- <command…>`: runs a Node agent with the loader in NODE_OPTIONS, so the agent and every
 * Node child it starts are captured into one session; prints where the session went on stderr once the command
 * ends (`--report`: the session report too, also on stderr), and ends with the command's exit code or signal.
 * A Bun-compiled binary (native Claude Code ≥ 2.1.113) is entered through Bun's preload instead (BUN_OPTIONS),
 * with the witness proxy behind it (src/run/witness.ts). Any other target no loader can enter (a native binary,
 * a Python script) is refused before anything runs, with the `agenttap proxy` command that captures it instead.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { AgentTapError, EXIT_CONFIG, isConfigError } from '../errors.js';
import { loadRules } from '../policy/rewrite/rules-load.js';
import { flagsToEnv } from './env-flags.js';
import { bunPreloadIsBuilt, planRun, loaderIsBuilt, withBunPreload } from '../run/environment.js';
import { endLike, runForeground } from '../run/foreground.js';
import { reportToStderr } from '../run/report.js';
import { sessionSummary } from '../run/summary.js';
import { inspectTarget, type Target } from '../run/target.js';
import { startWitness, type Witness } from '../run/witness.js';
import { joinClaudeLabels, prepareClaudeRawBodies, type ClaudeRawBodies } from '../run/claude-labels.js';

interface RunOptions {
  session?: string;
  dir?: string;
  config?: string;
  children: boolean;
  force?: boolean;
  quiet?: boolean;
  report?: boolean;
  rules?: string;
  dryRun?: boolean;
}

export function registerRunCommand(program: Command): void {
  // Options after the command belong to the command (`agenttap run node agent.js --verbose`), `--` or not.
  program.enablePositionalOptions();
  program
    .command('run')
    .description('run a Node agent with agenttap loaded (it and its Node child processes are captured)')
    .usage('[options] -- <command...>')
    .argument('<command...>', 'the agent and its arguments, after --')
    .option('--session <id>', 'session id (default: a timestamp and a random suffix)')
    .option('--dir <dir>', 'root folder of sessions (default: .agenttap/sessions)')
    .option('--config <file>', 'config file (default: ./agenttap.config.json when present)')
    .option('--no-children', 'do not capture the Node child processes the agent starts')
    .option(
      '--force',
      'run even when the command does not look like a Node program (e.g. a shell wrapper that starts node)',
    )
    .option('--quiet', 'do not print where the session went')
    .option('--report', 'when the command has ended, print the session report (on stderr)')
    .option('--rules <file>', 'rewrite rules (JSON, YAML or .mjs; see `agenttap schema rules`)')
    .option('--dry-run', 'evaluate and log the rules, but send every request unchanged')
    .passThroughOptions()
    .action(async (command: string[], options: RunOptions) => {
      const target = inspectTarget(command);
      if (target.kind === 'missing') throw new AgentTapError('AGENTTAP_USAGE', `run: ${target.what}`);
      const bun = target.kind === 'bun';
      if (target.kind !== 'node' && !bun && !options.force)
        throw new AgentTapError('AGENTTAP_USAGE', notNodeMessage(target, command));
      if (!loaderIsBuilt() || (bun && !bunPreloadIsBuilt())) {
        throw new AgentTapError(
          'AGENTTAP_USAGE',
          'run: the loader is not built (run `npm run build` in the agenttap folder)',
        );
      }

      // Absolute rules path: the agent's children may run elsewhere. Checked here too, so nothing starts on a bad file.
      const { overrides, flags } = flagsToEnv({
        ...options,
        rules: options.rules === undefined ? undefined : resolve(options.rules),
      });
      let plan: Awaited<ReturnType<typeof planRun>>;
      try {
        if (overrides.AGENTTAP_RULES) await loadRules(overrides.AGENTTAP_RULES, process.cwd(), '--rules');
        plan = await planRun({ overrides, flags });
      } catch (err) {
        if (isConfigError(err)) {
          // Same stop as the loader's: EX_CONFIG, before the agent starts.
          process.stderr.write(`${err.message}\n`);
          process.exit(EXIT_CONFIG);
        }
        throw err;
      }

      let witness: Witness | undefined;
      let raw: ClaudeRawBodies | undefined;
      if (bun) {
        witness = await startWitness(plan.env);
        raw = prepareClaudeRawBodies(plan.env);
        plan.env = { ...plan.env, ...witness.env, ...raw?.env, BUN_OPTIONS: withBunPreload(plan.env.BUN_OPTIONS) };
      }
      let ended: Awaited<ReturnType<typeof runForeground>>;
      try {
        ended = await runForeground(target.argv, plan.env);
      } catch (err) {
        throw new AgentTapError('AGENTTAP_USAGE', `run: cannot start ${command[0]}: ${(err as Error).message}`);
      } finally {
        await witness?.close();
        if (raw) joinClaudeLabels(raw, plan.sessionDir, plan.sessionId);
      }
      if (!options.quiet) process.stderr.write(`${sessionSummary(plan.sessionDir)}\n`);
      if (options.report) await reportToStderr(plan.sessionDir);
      endLike(ended);
    });
}

/** The refusal, with the exact command that captures this agent instead. */
export function notNodeMessage(target: Target, command: string[]): string {
  const upstream = /claude/i.test(command[0] ?? '')
    ? 'https://api.anthropic.com'
    : '<model API URL, e.g. https://api.anthropic.com or https://api.openai.com>';
  return [
    `run: ${command[0]} is ${target.what}${target.file && target.file !== command[0] ? ` (${target.file})` : ''}, not a Node program; the agenttap loader cannot enter it, so nothing was started.`,
    'Capture it through the local proxy instead:',
    `  agenttap proxy --upstream ${upstream} --exec -- ${command.map(shellQuote).join(' ')}`,
    'If it is a wrapper that starts node itself, `agenttap run --force -- …` runs it anyway.',
  ].join('\n');
}

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
