/**
 * A reader that stops early (`agenttap cat … | head`) closes the pipe: the next write fails with EPIPE. That
 * is the reader saying "enough", not an error: the command ends quietly with code 0 (as `cat` and `grep` do),
 * instead of Node's unhandled 'error' stack. Any other stdout failure is one line on stderr and code 1.
 */
import { stderrLine } from '../stderr.js';

export function endQuietlyOnEpipe(stream: NodeJS.WriteStream = process.stdout, name = 'agenttap'): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    stderrLine(`${name}: cannot write to stdout: ${err.message}`);
    process.exit(1);
  });
}
