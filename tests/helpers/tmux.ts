/**
 * A terminal program driven in tmux, for TUI tests: a private server (`tmux -L <unique socket>`, no user config),
 * one window of a fixed size, the program started with exactly the environment given, keys typed, the screen read
 * with `capture-pane -p`. Every wait is bounded; `kill()` ends the server (and the program in it).
 *
 * API
 *   startTmux({ argv, cwd, env, width?, height? }) → Promise<Tmux>
 *     tmux.screen({joinWrapped?})   the visible screen as text (trailing blank lines dropped); joinWrapped: a long
 *                                   line wrapped by the terminal comes back as one line
 *     tmux.type(text)               literal text, then (separately, like a person) Enter when `enter` is true
 *     tmux.key(...keys)             tmux key names: 'Enter', 'Escape', 'C-c', 'BTab'
 *     tmux.waitFor(test, what, ms)  polls the screen until test(screen) holds; throws with the last screen after ms
 *     tmux.exited()                 the program's exit status once it has ended (a last line `[exited N]`)
 *     tmux.kill()                   kill-server; safe to call twice
 *
 * The server is spawned with `env` as its whole environment, so the program sees that and nothing of the test
 * runner's (tmux adds TMUX, TMUX_PANE and sets TERM from default-terminal).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface TmuxOptions {
  argv: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  width?: number;
  height?: number;
}

export interface Tmux {
  socket: string;
  /** `joinWrapped`: a line longer than the window as one line (capture-pane -J). */
  screen(options?: { joinWrapped?: boolean }): Promise<string>;
  type(text: string, enter?: boolean): Promise<void>;
  key(...keys: string[]): Promise<void>;
  waitFor(test: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /** The exit status (128 + n after signal n) once the program has ended; undefined while it runs. */
  exited(): Promise<number | undefined>;
  kill(): Promise<void>;
}

/** Is tmux on PATH? (tests skip without it) */
export async function hasTmux(): Promise<boolean> {
  try {
    await exec('tmux', ['-V'], { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

export async function startTmux(options: TmuxOptions): Promise<Tmux> {
  const socket = `agenttap-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  const env = Object.fromEntries(Object.entries(options.env).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
  const tmux = async (...args: string[]) =>
    (await exec('tmux', ['-L', socket, ...args], { env, timeout: 10_000 })).stdout;
  // -f /dev/null: no user configuration; the size is fixed for the window's whole life (no client attaches).
  await tmux(
    '-f',
    '/dev/null',
    'new-session',
    '-d',
    '-s',
    'main',
    '-x',
    String(options.width ?? 120),
    '-y',
    String(options.height ?? 40),
    // A shell between tmux and the program says how it ended, on the screen, then holds the pane (until
    // kill-server, 10 minutes at most): this tmux was seen not reaping its pane's process (native Claude Code after
    // /exit, or the shell after it), so neither #{pane_dead_status} nor the pane's end can be waited for.
    '-c',
    options.cwd,
    '--',
    'sh',
    '-c',
    '"$@"; echo "[exited $?]"; exec sleep 600',
    'sh',
    ...options.argv,
    // In the same command queue, before the program starts drawing: focus events on, so a TUI that asks for them
    // prints no hint about them.
    ';',
    'set-option',
    '-g',
    'focus-events',
    'on',
  );
  let killed = false;
  const self: Tmux = {
    socket,
    async screen(options = {}) {
      const join = options.joinWrapped ? ['-J'] : [];
      return (await tmux('capture-pane', '-p', ...join, '-t', 'main')).replace(/[ \n]+$/, '\n');
    },
    async type(text, enter = true) {
      await tmux('send-keys', '-t', 'main', '-l', text);
      if (!enter) return;
      // Enter sent in the same burst as the text is read as part of a paste (a newline in the input box): wait
      // until the text is on the screen, and a moment more, as a person would.
      const tail = text.slice(-20);
      await self.waitFor((s) => s.replace(/\n/g, '').includes(tail), `typed text "${tail}"`, 10_000);
      await new Promise((r) => setTimeout(r, 500));
      await tmux('send-keys', '-t', 'main', 'Enter');
    },
    async key(...keys) {
      await tmux('send-keys', '-t', 'main', ...keys);
    },
    async waitFor(test, what, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      for (let i = 0; i < 10_000; i++) {
        last = await self.screen();
        if (test(last)) return last;
        if (Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`tmux: no ${what} within ${timeoutMs} ms; last screen:\n${last}`);
    },
    async exited() {
      const match = /^\[exited (\d+)\]$/m.exec(await self.screen());
      return match ? Number(match[1]) : undefined;
    },
    async kill() {
      if (killed) return;
      killed = true;
      await tmux('kill-server').catch(() => undefined);
    },
  };
  return self;
}
