/**
 * `agenttap report`'s engine: read → classify → render. Depends on the log's event types and readers
 * (src/log), the mechanism signatures (src/mechanisms) and prices (src/pricing) — never on the tap.
 */
import { open } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { makePrivate } from '../src/fs/private-file.js';
import { buildReport as build, type BuildOptions as ModelOptions } from './model/build.js';
import { PromptExport } from './render/export/index.js';
import { ContentSpool, writeHtml } from './render/html/page.js';
import type { SimulationSummary } from './model/simulation.js';
import type { ReportModel } from './model/types.js';
import { ReportOutputError } from './render/output-error.js';

export { renderJson } from './render/json/index.js';
export { renderMarkdown } from './render/markdown/index.js';
export { renderTerminal } from './render/terminal/index.js';
export { csp, inertJson } from './render/html/page.js';
export type * from './model/types.js';
export { ReportOutputError } from './render/output-error.js';

export interface BuildOptions extends ModelOptions {
  /** Write system prompt blocks, tool definitions and reminders as files (0600) here; the folder must exist (the CLI makes it, 0700). */
  exportDir?: string;
  /** A rules simulation of this session (`agenttap report --simulate`), carried by the model to every output. */
  simulation?: SimulationSummary;
}

/** The report model, in one pass over the log; with `exportDir`, the prompts written as files on the way. */
export async function buildReport(path: string, options: BuildOptions = {}): Promise<ReportModel> {
  const subscribers = [
    ...(options.subscribers ?? []),
    ...(options.exportDir ? [new PromptExport(options.exportDir)] : []),
  ];
  const model = await build(path, { ...options, subscribers });
  if (options.simulation) model.simulation = options.simulation;
  return model;
}

export interface HtmlOptions extends BuildOptions {
  /** Longest string kept per content block in the page. */
  maxText?: number;
  /** Most bytes of captured content the page carries (default 256 MiB); the rest is left out, and says so. */
  contentBudget?: number;
}

/** Builds the model and writes the HTML page to `file` (created 0600: it holds the prompts) in one pass over the log. */
export async function reportHtml(path: string, file: string, options: HtmlOptions = {}): Promise<ReportModel> {
  // Loaded here, not with the module: the detail's line diff is a dependency of the page only.
  const { HtmlDetail } = await import('./render/html/detail.js');
  const spool = new ContentSpool(options.contentBudget);
  try {
    const model = await buildReport(path, {
      ...options,
      subscribers: [...(options.subscribers ?? []), new HtmlDetail(spool, options.maxText)],
    });
    try {
      const handle = await open(file, 'w', 0o600);
      makePrivate(handle.fd);
      const out = handle.createWriteStream();
      const done = finished(out);
      await Promise.race([writeHtml(model, spool, out), done]);
      out.end();
      await done;
    } catch (err) {
      throw new ReportOutputError('html', file, err);
    }
    return model;
  } finally {
    spool.dispose();
  }
}
