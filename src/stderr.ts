/**
 * One line on stderr — agenttap's only voice inside an agent (never stdout). Never throws, never kills.
 *
 * Written with `writeSync` on fd 2, not through `process.stderr`: on a closed stderr (a parent that stopped reading)
 * the stream's write fails with EPIPE *later*, as an 'error' event that nobody listens to — an uncaught exception
 * that killed the agent for a notice of ours (issue 16). A listener of ours on `process.stderr` would have avoided
 * that, but it would stay and swallow the agent's own EPIPE, which without agenttap crashes the agent: not our call.
 * `writeSync(2)` fails right here (Node ignores SIGPIPE) and leaves the agent's stream untouched: its own writes
 * behave exactly as without agenttap. On Linux `process.stderr` writes synchronously to files, pipes and TTYs, so
 * our line and the agent's keep their order; a line is under PIPE_BUF, so it is not torn by a concurrent writer.
 */
import { createRequire } from 'node:module';

// By require(), not import: on the loader's start path an ESM import of node:fs loads Node's stream modules
// (its ESM facade reads the lazy `fs.ReadStream` getter; src/config/load.ts, issue 13).
const { writeSync } = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');

export function stderrLine(message: string): void {
  try {
    writeSync(2, `${message}\n`);
  } catch {
    // a closed or full stderr: nothing left to tell
  }
}
