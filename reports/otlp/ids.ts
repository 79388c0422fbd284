/**
 * Deterministic trace and span ids: the same session exported twice — or live, then from its log — gives the same
 * ids, so a backend de-duplicates instead of showing the session twice. Each id is a SHA-256 of what the span stands
 * for, never of a position in the log or a time:
 *
 *   trace          sha256("agenttap.trace\0" session id)[0..16 bytes]
 *   inference      spanId("exchange", pid, exchange id)
 *   invoke_agent   spanId("agent", pid, exchange id of the thread's first call)
 *   execute_tool   spanId("tool", pid, exchange id of the call that asked for it, tool call id)
 */
import { createHash } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** The first `bytes` bytes of the hash, in hex; an all-zero id is invalid in OTLP, so that one case ends in 01. */
function hexId(text: string, bytes: number): string {
  const b = digest(text).subarray(0, bytes);
  if (b.every((x) => x === 0)) b[bytes - 1] = 1;
  return b.toString('hex');
}

export function traceIdOf(sessionId: string): string {
  return hexId(`agenttap.trace\0${sessionId}`, 16);
}

export function spanIdOf(sessionId: string, ...parts: (string | number)[]): string {
  return hexId(['agenttap.span', sessionId, ...parts.map(String)].join('\0'), 8);
}

export const exchangeSpanId = (session: string, pid: number, exchange: string) =>
  spanIdOf(session, 'exchange', pid, exchange);
export const agentSpanId = (session: string, pid: number, firstExchange: string) =>
  spanIdOf(session, 'agent', pid, firstExchange);
export const toolSpanId = (session: string, pid: number, exchange: string, toolCallId: string) =>
  spanIdOf(session, 'tool', pid, exchange, toolCallId);
