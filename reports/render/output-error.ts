/** Writing one of the report's own files failed (not reading the log): the CLI names the flag that chose it. */
export class ReportOutputError extends Error {
  override readonly name = 'ReportOutputError';
  constructor(
    /** Which output: the HTML page or a prompt export file. */
    readonly output: 'html' | 'export',
    readonly file: string,
    override readonly cause: unknown,
  ) {
    super(`${file}: ${(cause as Error)?.message ?? String(cause)}`);
  }
}
