/**
 * SIGINT and SIGTERM without a handler of the agent's own kill the process at once: no `exit` event, so open
 * exchanges, the queue and `session.end` were lost. Here, while agenttap has records to keep (from the first model
 * call on), a listener of ours runs first on those signals:
 *   - it removes itself before anything else runs, so any other listener (the agent's, signal-exit's count of
 *     `process.listeners()`) sees exactly the listeners it would see without agenttap;
 *   - if no other listener is left, the default action was going to happen: it flushes (`flush`, synchronous,
 *     never throws) and raises the same signal again — with no listener, Node has restored the default action, so
 *     the process ends by that signal, exit status as without agenttap;
 *   - otherwise the agent handles the signal itself (a TUI's Ctrl-C): nothing is flushed, nothing changes for the
 *     agent, and the listener comes back (first again) on the next turn for the next signal.
 * Not installed before the first model call: a process that never calls a model keeps Node's own signal handling
 * (a JS listener cannot run while JS is busy, so a busy loop could not be stopped with Ctrl-C).
 */
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export function flushOnSignals(flush: (signal: NodeJS.Signals) => void): void {
  for (const signal of SIGNALS) {
    const listener = () => {
      process.removeListener(signal, listener);
      if (process.listenerCount(signal) > 0) {
        setImmediate(() => {
          if (!process.listeners(signal).includes(listener)) process.prependListener(signal, listener);
        }).unref();
        return;
      }
      flush(signal);
      process.kill(process.pid, signal);
    };
    process.prependListener(signal, listener);
  }
}
