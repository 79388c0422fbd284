/** One line on stderr — agenttap's only voice inside an agent (never stdout). Never throws. */
export function stderrLine(message: string): void {
  try {
    process.stderr.write(`${message}\n`);
  } catch {
    // a closed stderr: nothing left to tell
  }
}
