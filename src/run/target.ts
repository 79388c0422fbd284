/**
 * Is the command a Node program the loader can enter? Decided from the file itself, before anything runs:
 *
 *   `node` / `nodejs` / this very node binary           → node
 *   a script whose shebang runs node (`#!/usr/bin/env node`, `env -S node --flags`, `/usr/bin/node`)
 *                                                       → node      (npm's bin links: `claude` 2.1.112 is one)
 *   a `.js`/`.mjs`/`.cjs` file without a shebang        → node      (run through this node)
 *   a Bun-compiled ELF / Mach-O executable              → bun       (Claude Code ≥ 2.1.113: docs/preload.md#bun-binaries; the Bun preload)
 *   another ELF / Mach-O executable (not node)          → native
 *   a script for another interpreter (python, bash…)    → script
 * A shell wrapper that starts node itself is a `script`: `agenttap run --force` runs it anyway, and the loader
 * in NODE_OPTIONS still reaches every node it starts.
 */
import { accessSync, closeSync, constants, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, delimiter, extname, isAbsolute, join, resolve } from 'node:path';

export type TargetKind = 'node' | 'bun' | 'native' | 'script' | 'missing';

export interface Target {
  kind: TargetKind;
  /** The resolved file (absent when missing). */
  file?: string;
  /** What was found, for messages: "an ELF executable", "a python3 script". */
  what: string;
  /** The command to start: a node script without a shebang is started through this node. */
  argv: string[];
}

const NODE_NAMES = /^(node|nodejs|node\.exe)$/i;
const JS_EXTENSIONS = new Set(['.js', '.mjs', '.cjs']);
/**
 * `bun build --compile` output: an ELF note named "Bun" near the start (section `.note.bun`: namesz 4, descsz,
 * type, "Bun\0"; at offset 0x390 in Claude Code 2.1.330), or a Mach-O `__BUN` segment in the load commands.
 */
const BUN_ELF_NOTE = /\x04\x00\x00\x00[\s\S]{8}Bun\x00/;
const BUN_MACHO_SEGMENT = /__BUN\x00/;
/** Enough of the file for a shebang, the ELF notes and the Mach-O load commands. */
const HEAD_BYTES = 16 * 1024;

export function inspectTarget(argv: string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Target {
  const [command, ...rest] = argv;
  if (!command) return { kind: 'missing', what: 'no command', argv };
  const file = resolveCommand(command, env, cwd);
  if (!file) return { kind: 'missing', what: `${command}: command not found`, argv };
  if (NODE_NAMES.test(basename(command)) || NODE_NAMES.test(basename(file)) || sameFile(file, process.execPath)) {
    return { kind: 'node', file, what: 'node', argv };
  }
  const head = readHead(file);
  if (head.startsWith('#!')) {
    const line = head.slice(2).split('\n', 1)[0]!.trim();
    const interpreter = interpreterOf(line);
    if (NODE_NAMES.test(interpreter)) return { kind: 'node', file, what: `a node script (#!${line})`, argv };
    return { kind: 'script', file, what: `a ${interpreter || 'shell'} script (#!${line})`, argv };
  }
  if (head.startsWith('\x7fELF')) {
    return BUN_ELF_NOTE.test(head)
      ? { kind: 'bun', file, what: 'a Bun-compiled executable (ELF)', argv }
      : { kind: 'native', file, what: 'a native executable (ELF)', argv };
  }
  if (/^(\xfe\xed\xfa[\xce\xcf]|[\xce\xcf]\xfa\xed\xfe|\xca\xfe\xba\xbe)/.test(head)) {
    return BUN_MACHO_SEGMENT.test(head)
      ? { kind: 'bun', file, what: 'a Bun-compiled executable (Mach-O)', argv }
      : { kind: 'native', file, what: 'a native executable (Mach-O)', argv };
  }
  if (JS_EXTENSIONS.has(extname(file)))
    return { kind: 'node', file, what: 'a JavaScript file', argv: [process.execPath, file, ...rest] };
  return { kind: 'script', file, what: 'a file that is neither a Node program nor a native executable', argv };
}

/** `#!/usr/bin/env -S node --flag` → node; `#!/usr/local/bin/python3 -u` → python3. */
function interpreterOf(line: string): string {
  const words = line.split(/\s+/).filter(Boolean);
  let i = 0;
  if (words[i] !== undefined && basename(words[i]!) === 'env') {
    i++;
    while (words[i]?.startsWith('-') || words[i]?.includes('=')) i++;
  }
  return words[i] ? basename(words[i]!) : '';
}

function resolveCommand(command: string, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (command.includes('/') || isAbsolute(command)) {
    const file = resolve(cwd, command);
    return isFile(file) ? file : undefined;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(resolve(cwd, dir), command);
    if (isFile(file) && isExecutable(file)) return file;
  }
  return undefined;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/** The first bytes, as latin1 so that binary magic numbers survive. */
function readHead(file: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('latin1');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
