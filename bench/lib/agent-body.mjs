// A realistic agent request body for redaction benchmarks: an Anthropic Messages request of a
// coding agent mid-session — system prompt, tool schemas, and turns whose tool results are this
// repository's own source files, `git log` output (SHAs), a lockfile excerpt (integrity hashes),
// UUID-keyed JSON and one base64 screenshot. No planted secrets: this is the common case.
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function sourceFiles(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (/\.(ts|mjs|md)$/.test(name) && !p.includes('rules/gitleaks')) out.push(p); // generated data: not agent-like
  }
  return out;
}

const hex = (n) => randomBytes(n / 2).toString('hex');

function gitLog(lines) {
  return Array.from(
    { length: lines },
    (_, i) => `${hex(40)} ${['fix', 'feat', 'docs'][i % 3]}: change ${i} to the token counter`,
  ).join('\n');
}

function lockfile(entries) {
  const packages = {};
  for (let i = 0; i < entries; i++) {
    packages[`node_modules/pkg-${i}`] = {
      version: `1.${i}.0`,
      resolved: `https://registry.npmjs.org/pkg-${i}/-/pkg-${i}-1.${i}.0.tgz`,
      integrity: `sha512-${randomBytes(64).toString('base64')}`,
    };
  }
  return JSON.stringify({ name: 'app', lockfileVersion: 3, packages }, null, 2);
}

/** About `targetBytes` of JSON (serialised). */
export function agentBody(root, targetBytes = 1 << 20) {
  const files = sourceFiles(join(root, 'src'));
  const tools = ['Read', 'Bash', 'Edit', 'Grep'].map((name) => ({
    name,
    description: `${name} a file or run a command. Use it to read tokens, keys and config the user asks about.`,
    input_schema: { type: 'object', properties: { path: { type: 'string' }, command: { type: 'string' } } },
  }));
  const messages = [{ role: 'user', content: 'Find why the session token refresh fails and fix it.' }];
  let size = 0;
  for (let turn = 0; size < targetBytes; turn++) {
    const id = `toolu_01${randomBytes(12).toString('base64url')}`;
    const kind = turn % 6;
    const file = files[turn % files.length];
    const content =
      kind === 0
        ? gitLog(40)
        : kind === 1
          ? lockfile(30)
          : kind === 2
            ? JSON.stringify(
                Array.from({ length: 30 }, () => ({
                  id: randomUUID(),
                  request_id: `req_${hex(24)}`,
                  max_tokens: 4096,
                })),
              )
            : kind === 3 && turn % 12 === 3
              ? [
                  {
                    type: 'image',
                    source: { type: 'base64', media_type: 'image/png', data: randomBytes(48_000).toString('base64') },
                  },
                ]
              : readFileSync(file, 'utf8');
    const turnMessages = [
      {
        role: 'assistant',
        content: [
          { type: 'text', text: `Reading ${file}.` },
          { type: 'tool_use', id, name: 'Read', input: { path: file } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content }] },
    ];
    messages.push(...turnMessages);
    size += JSON.stringify(turnMessages).length;
  }
  return { model: 'claude-sonnet-4-5', max_tokens: 8192, system: 'You are a careful coding agent.', tools, messages };
}
