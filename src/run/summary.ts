/** The one line agenttap prints on stderr after a command: where the session went and what it holds. */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

export function sessionSummary(sessionDir: string, cwd = process.cwd()): string {
  let files: string[] = [];
  try {
    files = readdirSync(sessionDir).filter((f) => f.endsWith('.ndjson'));
  } catch {
    // no folder: nothing was captured
  }
  const shown = relative(cwd, sessionDir).startsWith('..') ? sessionDir : relative(cwd, sessionDir) || '.';
  if (files.length === 0)
    return `agenttap: nothing was captured (no Node process of the command loaded the tap); session folder ${shown}`;
  let exchanges = 0;
  // A process is a file with a `session.start` (labels joined after the run are appended by agenttap itself).
  let processes = 0;
  for (const file of files) {
    try {
      const text = readFileSync(join(sessionDir, file), 'utf8');
      exchanges += countOf(text, '"event":"exchange.request"');
      if (text.includes('"event":"session.start"')) processes++;
    } catch {
      // unreadable file: counted as nothing
    }
  }
  const procs = processes === 1 ? '1 process' : `${processes} processes`;
  const calls = exchanges === 1 ? '1 model call' : `${exchanges} model calls`;
  return `agenttap: session ${shown} (${calls}, ${procs}) — read it with: agenttap cat ${shown}`;
}

function countOf(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}
