/**
 * `<system-reminder>`s found by structure, not by a substring: a reminder is a segment that *is* one — it
 * starts a text (or a line) with `<system-reminder>` and ends with `</system-reminder>` at the end of a line
 * (or at the end of a cut text). Claude Code sends them as whole text blocks, or on their own lines after a
 * tool result. A tag mentioned in prose ("… may include <system-reminder> tags …", as Claude Code's own
 * system prompt says) is not a reminder, and nothing after it is one either.
 *
 * Self-contained (no imports, no outer names): the HTML page inlines it by source, so the page and the
 * report model split text the same way.
 */
export function reminderParts(text: string): { text: string; reminder: boolean }[] {
  const re = /(?:^|\n)[ \t]*(<system-reminder>[\s\S]*?(?:<\/system-reminder>(?=[ \t]*(?:\r?\n|$))|$))/g;
  const out: { text: string; reminder: boolean }[] = [];
  let at = 0;
  for (const m of text.matchAll(re)) {
    const start = m.index + m[0].length - m[1]!.length;
    if (start > at) out.push({ text: text.slice(at, start), reminder: false });
    out.push({ text: m[1]!, reminder: true });
    at = start + m[1]!.length;
  }
  if (at < text.length) out.push({ text: text.slice(at), reminder: false });
  return out;
}
