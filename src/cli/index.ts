/** The `agenttap` command line (commander). One file per command; this one only assembles them. */
import { Command } from 'commander';
import { AgentTapError } from '../errors.js';
import { VERSION } from '../version.js';
import { registerCatCommand } from './cat.js';
import { registerExportCommand } from './export.js';
import { registerImportCommand } from './import.js';
import { registerMockCommand } from './mock.js';
import { registerReportCommand } from './report.js';
import { registerProxyCommand } from './proxy.js';
import { registerRunCommand } from './run.js';
import { registerSchemaCommand } from './schema.js';

const program = new Command('agenttap')
  .description('See, and steer, every call an LLM agent makes to its model.')
  .version(VERSION)
  .showHelpAfterError();

registerCatCommand(program);
registerSchemaCommand(program);
registerMockCommand(program);
registerReportCommand(program);
registerRunCommand(program);
registerProxyCommand(program);
registerImportCommand(program);
registerExportCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof AgentTapError) {
    process.stderr.write(`agenttap: ${err.message}\n`);
    process.exitCode = 2;
  } else throw err;
}
