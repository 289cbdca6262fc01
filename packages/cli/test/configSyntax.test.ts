// A config file with a syntax error, on the spawned bin without --debug: the message names the
// file and the line (webpack-cli prints `webpack.config.js:2` for CommonJS; for an ES module
// Node's SyntaxError carries no location, which hmrkit finds anyway).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, childEnv, createTempProject, type TempProject } from './helpers';

const BROKEN = "export default {\n  mode: 'development',,\n};\n";
const BROKEN_CJS = "module.exports = {\n  mode: 'development',,\n};\n";

const projects: TempProject[] = [];
afterAll(async () => {
  await Promise.all(projects.splice(0).map((p) => p.cleanup()));
});

function serve(cwd: string, args: string[] = []) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const env = childEnv();
    execFile(
      'node',
      [BIN, 'serve', '--port', '0', ...args],
      { cwd, env },
      (error, stdout, stderr) => {
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

async function project(files: Record<string, string>): Promise<TempProject> {
  const created = await createTempProject(files);
  projects.push(created);
  return created;
}

describe('a config file with a syntax error (spawned bin, no --debug)', () => {
  it.each([
    ['webpack.config.js', BROKEN_CJS, {}],
    ['webpack.config.cjs', BROKEN_CJS, {}],
    ['webpack.config.mjs', BROKEN, {}],
    // "type": "module": a .js config is an ES module.
    [
      'webpack.config.js',
      BROKEN,
      { 'package.json': '{ "name": "esm-project", "private": true, "type": "module" }\n' },
    ],
  ])('%s (%#) exits 2 naming file:2, the line and a caret, no stack', async (name, text, extra) => {
    const { dir } = await project({ [name]: text, 'src/index.js': 'console.log(1);\n', ...extra });
    const result = await serve(dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const file = join(dir, name);
    expect(result.stderr).toBe(
      `error Failed to load config ${file}: Unexpected token ','\n${file}:2\n  mode: 'development',,\n                      ^\n`,
    );
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('names the file the error is in when the config requires a broken module', async () => {
    const { dir } = await project({
      'webpack.config.js':
        "const paths = require('./paths.js');\nmodule.exports = { entry: paths.entry };\n",
      'paths.js': "module.exports = {\n  entry: './src/index.js'\n  other: 1,\n};\n",
    });
    const result = await serve(dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(dir, 'paths.js')}:3\n  other: 1,\n`);
  });
});
