/**
 * Reminders are found by structure (issue 16): a text block or a line-started segment that *is* a
 * `<system-reminder>`, never a tag mentioned in prose (Claude Code's own system prompt mentions the tag).
 */
import { describe, expect, test } from 'vitest';
import { remindersOf, userText } from '../../../src/exchange/body.js';
import { reminderParts } from '../../../src/exchange/reminders.js';

const PROSE =
  'Tool results and user messages may include <system-reminder> tags. They bear no relation to the tool results.';

describe('reminders by structure', () => {
  test('a whole block, and a segment on its own lines after a tool result, are reminders', () => {
    const msg = {
      role: 'user',
      content: [
        { type: 'text', text: '<system-reminder>\nThe user opened the file a.ts.\n</system-reminder>' },
        {
          type: 'tool_result',
          tool_use_id: 't1',
          content: 'file contents\n\n<system-reminder>\nMalware check.\n</system-reminder>\n',
        },
        { type: 'text', text: 'Fix the test.' },
      ],
    };
    expect(remindersOf(msg)).toEqual(['The user opened the file a.ts.', 'Malware check.']);
    expect(userText(msg)).toBe('Fix the test.');
  });

  test('a tag mentioned in prose is no reminder, and the text after it is not one either', () => {
    const msg = {
      role: 'user',
      content: [{ type: 'text', text: `${PROSE}\nPlease explain what <system-reminder> means here.` }],
    };
    expect(remindersOf(msg)).toEqual([]);
    expect(userText(msg)).toBe(`${PROSE}\nPlease explain what <system-reminder> means here.`);
    expect(reminderParts(`You are an agent.\n${PROSE}\n# Tone\nBe brief.`)).toEqual([
      { text: `You are an agent.\n${PROSE}\n# Tone\nBe brief.`, reminder: false },
    ]);
  });

  test("a reminder cut by the report's length limit still counts; text around a reminder keeps its place", () => {
    expect(reminderParts('before\n<system-reminder>\ncut here')).toEqual([
      { text: 'before\n', reminder: false },
      { text: '<system-reminder>\ncut here', reminder: true },
    ]);
    expect(reminderParts('<system-reminder>a</system-reminder>\nafter')).toEqual([
      { text: '<system-reminder>a</system-reminder>', reminder: true },
      { text: '\nafter', reminder: false },
    ]);
  });
});
