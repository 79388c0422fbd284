/**
 * `agenttap report <session>`: the session's mechanisms as a terminal summary (default), a self-contained
 * HTML page (`--html`), Markdown (`--md`) and the report model as JSON (`--json`), all from one read —
 * plus, with `--simulate RULES`, a rules simulation of the session (a read of its own, first: rules.ts).
 */
import type { Command } from 'commander';
import { AgentTapError } from '../errors.js';
import type { SignatureSet } from '../mechanisms/types.js';
import {
  buildReport,
  renderJson,
  renderMarkdown,
  renderTerminal,
  reportHtml,
  ReportOutputError,
  type HtmlOptions,
  type ReportModel,
} from '../../reports/index.js';
import { endQuietlyOnEpipe } from './epipe.js';
import {
  checkOutputFile,
  ensureOutputDir,
  inputError,
  outputError,
  refuseStdoutConflicts,
  writeOutputFile,
} from './output-files.js';

interface Options {
  html?: string;
  md?: string;
  json?: string;
  signatures?: string[];
  prices?: string;
  exportPrompts?: string;
  maxText?: string;
  contentBudget?: string;
  progress?: boolean;
  quiet?: boolean;
  simulate?: string;
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description("show a session's model calls grouped by the agent's mechanisms")
    .argument('<session>', 'a session directory or one <pid>.ndjson file')
    .option('--html <file>', 'write a self-contained HTML report (no network; safe to attach)')
    .option('--md <file>', 'write a Markdown summary ("-" for stdout)')
    .option('--json <file>', 'write the report model as JSON ("-" for stdout)')
    .option(
      '--signatures <file...>',
      'extra mechanism signatures (JSON {"sets": [...]}), tried before the shipped ones',
    )
    .option(
      '--prices <file>',
      'price table (JSON {"models": [{match, input, output, cache_write, cache_read}]}, USD per MTok)',
    )
    .option('--simulate <rules>', 'add a rules simulation of this session (as `agenttap rules simulate --rules`)')
    .option('--export-prompts <dir>', 'write system prompt blocks, tool lists and reminders as files')
    .option('--max-text <chars>', 'longest text kept per content block in the HTML', '16384')
    .option('--content-budget <MiB>', 'most captured content the HTML carries', '256')
    .option('--no-progress', 'no progress bar on stderr')
    .option('-q, --quiet', 'no terminal summary')
    .action(async (path: string, o: Options) => {
      endQuietlyOnEpipe(process.stdout, 'agenttap report');
      // Every output is checked before the log is read: a wrong path fails now, not after a long read.
      refuseStdoutConflicts({ '--md': o.md, '--json': o.json });
      for (const [flag, file] of [
        ['--html', o.html],
        ['--md', o.md],
        ['--json', o.json],
      ] as const)
        if (file !== undefined && file !== '-') checkOutputFile(file, flag);
      if (o.html === '-')
        throw new AgentTapError(
          'AGENTTAP_USAGE',
          '--html -: the HTML report is written to a file only. Fix: give a file name, e.g. --html report.html.',
        );
      if (o.exportPrompts !== undefined) ensureOutputDir(o.exportPrompts, '--export-prompts');
      const onWarning = (m: string) => process.stderr.write(`agenttap report: ${m}\n`);
      const progress = o.progress !== false && process.stderr.isTTY ? progressBar() : undefined;
      // Before the report's read: a bad rules file stops the command at once. Its reader warnings: the report's.
      const simulation = o.simulate === undefined ? undefined : await simulate(path, o.simulate, o.prices);
      const options: HtmlOptions = {
        simulation,
        onWarning,
        onProgress: progress,
        ...(await userFiles(o)),
        exportDir: o.exportPrompts,
        maxText: positive(o.maxText, '--max-text'),
        contentBudget: positive(o.contentBudget, '--content-budget') * (1 << 20),
      };
      let model: ReportModel;
      try {
        if (o.html) model = await reportHtml(path, o.html, options);
        else model = await buildReport(path, options);
      } catch (err) {
        throw err instanceof ReportOutputError
          ? outputError(err.cause, err.file, err.output === 'html' ? '--html' : '--export-prompts')
          : inputError(err, path);
      }
      if (progress) process.stderr.write('\r\x1b[K');
      const emit = (file: string, flag: string, text: string) =>
        file === '-' ? process.stdout.write(text) : writeOutputFile(file, flag, text);
      if (o.md) emit(o.md, '--md', renderMarkdown(model));
      if (o.json) emit(o.json, '--json', renderJson(model));
      if (!o.quiet && o.md !== '-' && o.json !== '-') process.stdout.write(renderTerminal(model));
      if (o.html && !o.quiet) process.stderr.write(`agenttap report: wrote ${o.html}\n`);
    });
}

/** Signature and price files, read (by their zod schemas) only when given: zod is a third of the command's start. */
async function userFiles(o: Options): Promise<Pick<HtmlOptions, 'signatures' | 'prices'>> {
  const signatures: SignatureSet[] = [];
  if (o.signatures?.length) {
    const { loadSignatureFile } = await import('../mechanisms/user-file.js');
    for (const file of o.signatures) signatures.push(...loadSignatureFile(file));
  }
  const prices = o.prices === undefined ? undefined : (await import('../pricing/index.js')).loadPriceTable(o.prices);
  return { signatures, prices };
}

/** A rules simulation (rules.ts): its module (the rules' schema, the simulator) loaded only when asked for. */
async function simulate(path: string, rules: string, prices: string | undefined) {
  const { runSimulation } = await import('./rules.js');
  return runSimulation(path, rules, { prices });
}

function positive(v: string | undefined, flag: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new AgentTapError('AGENTTAP_USAGE', `${flag} ${v}: not a positive number.`);
  return n;
}

/** A one-line progress bar for big logs (only on a terminal, at most every 100 ms). */
function progressBar(): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (total < 20 << 20 || now - last < 100) return;
    last = now;
    const f = Math.min(1, done / total);
    const w = 30;
    process.stderr.write(
      `\r[${'#'.repeat(Math.round(f * w)).padEnd(w)}] ${(f * 100).toFixed(0)}% of ${(total / (1 << 20)).toFixed(0)} MiB`,
    );
  };
}
