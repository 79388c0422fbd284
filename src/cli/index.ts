/**
 * The `agenttap` command line (commander). One file per command; this one only assembles them — and loads only
 * the one that runs: a command's module brings its whole world (the report reader, zod, secretlint, pino, the
 * proxy), ~0.4 s of CPU to import them all, which `agenttap report` on a small session would spend mostly there.
 */
import { Command } from 'commander';
import { AgentTapError } from '../errors.js';
import { VERSION } from '../version.js';

type Register = (program: Command) => void;

/** Every command, in the order `--help` lists them. */
const COMMANDS: Record<string, () => Promise<Register>> = {
  cat: async () => (await import('./cat.js')).registerCatCommand,
  schema: async () => (await import('./schema.js')).registerSchemaCommand,
  mock: async () => (await import('./mock.js')).registerMockCommand,
  report: async () => (await import('./report.js')).registerReportCommand,
  run: async () => (await import('./run.js')).registerRunCommand,
  proxy: async () => (await import('./proxy.js')).registerProxyCommand,
  import: async () => (await import('./import.js')).registerImportCommand,
  export: async () => (await import('./export.js')).registerExportCommand,
  replay: async () => (await import('./replay.js')).registerReplayCommand,
  rules: async () => (await import('./rules.js')).registerRulesCommand,
};

const program = new Command('agenttap')
  .description('See, and steer, every call an LLM agent makes to its model.')
  .version(VERSION)
  .showHelpAfterError()
  // run, proxy and replay ask for it; set whichever commands are loaded, so each parses the same either way.
  .enablePositionalOptions();

/** Commands whose action prints the whole program's help (`schema` with an unknown name): never loaded alone. */
const NEEDS_ALL = new Set(['schema']);

/** The program's version flag first: commander prints the version and exits before any command would run. */
const VERSION_FLAGS = new Set(['--version', '-V']);

/**
 * The command named first, alone; none for the version; anything else (no command, `--help`, `help <command>`, an
 * option first, a typo to suggest a fix for) needs them all.
 */
function commandsToLoad(argv: readonly string[]): string[] {
  const first = argv[2];
  if (first !== undefined && VERSION_FLAGS.has(first)) return [];
  return first !== undefined && Object.hasOwn(COMMANDS, first) && !NEEDS_ALL.has(first)
    ? [first]
    : Object.keys(COMMANDS);
}

const registers = await Promise.all(commandsToLoad(process.argv).map((name) => COMMANDS[name]!()));
for (const register of registers) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof AgentTapError) {
    // Config and rules errors already name the tool (the loader prints them as they are).
    process.stderr.write(`${err.message.startsWith('agenttap: ') ? '' : 'agenttap: '}${err.message}\n`);
    process.exitCode = 2;
  } else throw err;
}
