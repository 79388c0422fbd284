/** `agenttap cat <session> [--full]`: a session's events as NDJSON on stdout; `--full` expands blobs for jq. */
import type { Command } from 'commander';
import { LogCheck, readExpanded, readLogFile, sessionFiles } from '../log/read.js';
import { endQuietlyOnEpipe } from './epipe.js';
import { inputError } from './output-files.js';

export function registerCatCommand(program: Command): void {
  program
    .command('cat')
    .description('print a session log as NDJSON (all processes, file by file)')
    .argument('<session>', 'a session directory or one <pid>.ndjson file')
    .option('--full', 'expand blob references into plain requests and leave blob events out')
    .action(async (path: string, options: { full?: boolean }) => {
      endQuietlyOnEpipe(process.stdout, 'agenttap cat');
      const onWarning = (message: string) => process.stderr.write(`agenttap cat: ${message}\n`);
      try {
        const lines = options.full ? readExpanded(path, { onWarning }) : readAll(path, onWarning);
        for await (const { event } of lines) {
          if (!process.stdout.write(`${JSON.stringify(event)}\n`))
            await new Promise((r) => process.stdout.once('drain', r));
        }
      } catch (err) {
        throw inputError(err, path);
      }
    });
}

async function* readAll(path: string, onWarning: (m: string) => void) {
  const check = new LogCheck(onWarning);
  for (const file of sessionFiles(path)) yield* readLogFile(file, { onWarning, check });
}
