/**
 * The two events the agent's thread writes with content of the agent's in them — `session.start` (argv, cwd) and
 * `tap.warning` (a message that may quote what the agent sent) — redacted where they are written: in the capture
 * worker, or in the main-thread sink when there is no worker. The agent's thread hands them over raw (a writer
 * with `sinkRedacts`), so it never loads nor builds the redactor (secretlint's rules: 100–300 ms at the first
 * model call, issue 13). Every other event reaching a sink is redacted already (the recorder's records).
 * Fail closed: an event whose redaction throws is dropped (`onDrop`), never written raw.
 */
import type { Redactor } from '../policy/redact/types.js';
import type { EventBody, EventName } from './events.js';
import { redactProcessFacts } from './redact-session.js';
import type { Sink } from './sink.js';
import { withWrite } from './sink-wrap.js';

/** On a raw `tap.warning`: the code to name in the one stderr line about it (the first of its code). */
export const TELL = '$tell';

/** The stderr line for a warning, from its redacted message. */
export function warningLine(code: string, redacted: string): string {
  return `agenttap: ${redacted.replace(/\s*[\r\n]+\s*/g, ' ')} (further "${code}" warnings go to the log only)`;
}

export function redactingSink(
  inner: Sink,
  redactor: () => Redactor,
  notify: (message: string) => void,
  onDrop: () => void = () => {},
): Sink {
  const redact = <N extends EventName>(event: N, body: EventBody<N>): EventBody<N> => {
    if (event === 'session.start') {
      const start = body as EventBody<'session.start'> & { argv?: string[]; cwd?: string };
      return { ...start, ...redactProcessFacts(redactor(), start.argv ?? [], start.cwd ?? '') } as EventBody<N>;
    }
    const { [TELL]: tell, ...warning } = body as EventBody<'tap.warning'> & { [TELL]?: string };
    const message = redactor().text(warning.message);
    if (tell) notify(warningLine(tell, message));
    return { ...warning, message } as EventBody<N>;
  };
  return withWrite(inner, (event, body) => {
    if (event !== 'session.start' && event !== 'tap.warning') return inner.write(event, body);
    let redacted: typeof body;
    try {
      redacted = redact(event, body);
    } catch {
      onDrop();
      return;
    }
    inner.write(event, redacted);
  });
}
