// Tools the example agents really run: read-only file-system work inside the agent's working directory.
'use strict';
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { resolve, relative } = require('node:path');

const definitions = [
  {
    name: 'list_files',
    description: 'List the files and folders in a directory of the project.',
    input_schema: {
      type: 'object',
      properties: { path: { type: 'string', description: 'Directory, relative to the project' } },
      required: ['path'],
    },
  },
  {
    name: 'read_file',
    description: 'Read a text file of the project (first 4000 characters).',
    input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  },
];

function inside(path) {
  const full = resolve(process.cwd(), String(path ?? '.'));
  if (relative(process.cwd(), full).startsWith('..')) throw new Error(`${path} is outside the project`);
  return full;
}

/** Runs a tool; failures come back as text for the model, as a real agent does. */
function runTool(name, input) {
  try {
    if (name === 'list_files') {
      const dir = inside(input.path);
      return readdirSync(dir)
        .sort()
        .map((f) => (statSync(resolve(dir, f)).isDirectory() ? `${f}/` : f))
        .join('\n');
    }
    if (name === 'read_file') return readFileSync(inside(input.path), 'utf8').slice(0, 4000);
    return `unknown tool ${name}`;
  } catch (err) {
    return `error: ${err.message}`;
  }
}

/** OpenAI's function-tool shape of the same definitions. */
const openaiTools = definitions.map((d) => ({
  type: 'function',
  function: { name: d.name, description: d.description, parameters: d.input_schema },
}));

module.exports = { definitions, runTool, openaiTools };
