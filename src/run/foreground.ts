/**
 * Starts a command in the foreground, the way a shell would: stdio inherited (agenttap never touches the agent's
 * stdout), signals sent to agenttap forwarded to the command, and agenttap ends the way the command ended — the
 * same exit code, or the same signal re-raised — so `agenttap run -- X` is indistinguishable from `X` to whoever
 * started it. (A terminal's Ctrl-C reaches both processes anyway: they share the foreground process group.)
 */
import { spawn } from 'node:child_process';

export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/** `signal`: aborting it ends the command (SIGTERM) and rejects with an AbortError (`agenttap replay --strict`). */
export function runForeground(argv: string[], env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit', env, ...(signal ? { signal } : {}) });
    const handlers = new Map<NodeJS.Signals, () => void>();
    for (const signal of FORWARDED) {
      const forward = () => {
        try {
          child.kill(signal);
        } catch {
          // already gone
        }
      };
      handlers.set(signal, forward);
      process.on(signal, forward);
    }
    const unhook = () => {
      for (const [signal, fn] of handlers) process.off(signal, fn);
    };
    child.once('error', (err) => {
      unhook();
      reject(err);
    });
    child.once('exit', (code, signal) => {
      unhook();
      resolve({ code, signal });
    });
  });
}

/** The base URL variables that point an agent at a local model API (`proxy --exec`, `replay --exec`). */
export function baseUrlEnv(url: string): { ANTHROPIC_BASE_URL: string; OPENAI_BASE_URL: string } {
  return { ANTHROPIC_BASE_URL: url, OPENAI_BASE_URL: `${url}/v1` };
}

/** Ends this process as the command ended. Call after everything else is written. */
export function endLike(ended: Ended): void {
  if (ended.signal) {
    // Re-raised with the default disposition, so our parent sees "killed by SIGx" like it would without us.
    process.removeAllListeners(ended.signal);
    process.kill(process.pid, ended.signal);
    return;
  }
  process.exitCode = ended.code ?? 1;
}
