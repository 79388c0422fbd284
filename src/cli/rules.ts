/**
 * `agenttap rules simulate <session> --rules FILE`: what the rules would have done to a recorded session —
 * requests changed, still valid or not (and why), estimated tokens and cost before → after with the prompt
 * cache — through the step a live `--dry-run` uses (src/policy/rewrite/simulate.ts). Terminal table by
 * default; `--json` or `--markdown`, to stdout or `--out FILE`.
 */
import type { Command } from 'commander';
import { loadPriceTable } from '../pricing/index.js';
import { loadRules } from '../policy/rewrite/rules-load.js';
import { simulateRules } from '../policy/rewrite/simulate.js';
import { summarizeSimulation, type SimulationSummary } from '../../reports/model/simulation.js';
import { renderSimulationJson } from '../../reports/render/json/simulation.js';
import { renderSimulationMarkdown } from '../../reports/render/markdown/simulation.js';
import { renderSimulationTerminal } from '../../reports/render/terminal/simulation.js';
import { AgentTapError } from '../errors.js';
import { endQuietlyOnEpipe } from './epipe.js';
import { checkOutputFile, inputError, writeOutputFile } from './output-files.js';

interface Options {
  rules: string;
  json?: boolean;
  markdown?: boolean;
  out?: string;
  prices?: string;
}

export function registerRulesCommand(program: Command): void {
  const rules = program.command('rules').description('rewrite rules: try them on a recorded session');
  rules
    .command('simulate')
    .description(
      'apply rewrite rules to every request of a recorded session, offline: what would change, stay valid, cost',
    )
    .argument('<session>', 'a session directory or one <pid>.ndjson file')
    .requiredOption('--rules <file>', 'the rules file (JSON, YAML or an .mjs module), as for `agenttap run --rules`')
    .option('--json', 'the simulation as JSON')
    .option('--markdown', 'the simulation as Markdown')
    .option('--out <file>', 'write to this file instead of stdout')
    .option(
      '--prices <file>',
      'price table (JSON {"models": [{match, input, output, cache_write, cache_read}]}, USD per MTok)',
    )
    .action(async (session: string, o: Options) => {
      endQuietlyOnEpipe(process.stdout, 'agenttap rules simulate');
      if (o.json && o.markdown)
        throw new AgentTapError('AGENTTAP_USAGE', '--json and --markdown: pick one. Fix: run twice with --out.');
      if (o.out !== undefined) checkOutputFile(o.out, '--out');
      const summary = await runSimulation(session, o.rules, {
        prices: o.prices,
        onWarning: (m) => process.stderr.write(`agenttap rules simulate: ${m}\n`),
      });
      const text = o.json
        ? renderSimulationJson(summary)
        : o.markdown
          ? renderSimulationMarkdown(summary)
          : renderSimulationTerminal(summary);
      if (o.out === undefined) process.stdout.write(text);
      else writeOutputFile(o.out, '--out', text);
    });
}

/** The rules file read and checked, then the session simulated and summed (also `agenttap report --simulate`). */
export async function runSimulation(
  session: string,
  rulesFile: string,
  options: { prices?: string; onWarning?: (message: string) => void },
): Promise<SimulationSummary> {
  const rules = await loadRules(rulesFile, process.cwd(), '--rules');
  const prices = loadPriceTable(options.prices);
  try {
    const run = await simulateRules(session, rules, { prices, onWarning: options.onWarning });
    return summarizeSimulation(run, session, rulesFile);
  } catch (err) {
    throw inputError(err, session);
  }
}
