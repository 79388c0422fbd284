/** The terminal's tables: printable text only, columns aligned. */

/** Printable: control characters from captured text never reach the terminal. */
export const plain = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');

/**
 * A table with aligned columns (first left, others right), a rule under the head and, when the last row is a
 * total, above it.
 */
export function aligned(head: string[], body: string[][], lastIsTotal = true): string[] {
  const rows = [head, ...body].map((r) => r.map(plain));
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  if (!lastIsTotal) return [line(rows[0]!), rule, ...rows.slice(1).map(line)];
  return [line(rows[0]!), rule, ...rows.slice(1, -1).map(line), rule, line(rows[rows.length - 1]!)];
}
