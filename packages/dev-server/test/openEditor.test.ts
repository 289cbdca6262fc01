import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getFreePort, waitFor } from '@hmrkit/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DevServer } from '../src/index';
import { resolveEditorFile } from '../src/openEditor';
import { createCompiler, createProject, installFakeEditor, type Project, request } from './helpers';

let project: Project | undefined;
let server: DevServer | undefined;
let savedEditor: string | undefined;

beforeEach(() => {
  savedEditor = process.env.LAUNCH_EDITOR;
});

afterEach(async () => {
  if (savedEditor === undefined) delete process.env.LAUNCH_EDITOR;
  else process.env.LAUNCH_EDITOR = savedEditor;
  await server?.stop();
  server = undefined;
  await project?.cleanup();
  project = undefined;
});

describe('/webpack-dev-server/open-editor', () => {
  it('opens the file in the editor for same-origin requests, refuses cross-site ones', async () => {
    project = await createProject();
    const opened = installFakeEditor(project);
    const port = await getFreePort();
    server = new DevServer(
      { host: '127.0.0.1', port, static: false, setupExitSignals: false },
      createCompiler(project.dir),
    );
    await server.start();
    const file = join(project.dir, 'src/index.js');
    const query = `/webpack-dev-server/open-editor?fileName=${encodeURIComponent(file)}`;

    const crossSite = await request(port, query, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite).toMatchObject({ status: 403, body: 'Cross-Origin request blocked' });
    const foreign = await request(port, query, { origin: 'http://evil.test' });
    expect(foreign.status).toBe(403);
    const sameSite = await request(port, query, { 'sec-fetch-site': 'same-site' });
    expect(sameSite.status).toBe(403);
    expect(existsSync(opened)).toBe(false);

    const ok = await request(port, query, {
      'sec-fetch-site': 'same-origin',
      origin: `http://localhost:${port}`,
    });
    expect(ok.status).toBe(200);
    await waitFor(() => existsSync(opened), { message: 'the editor to be started' });
    expect(readFileSync(opened, 'utf8')).toBe(`${file}\n`);

    // Without Sec-Fetch-*: an Origin naming the Host is same-origin; no Origin at all (curl) too.
    expect((await request(port, query, { origin: `http://localhost:${port}` })).status).toBe(200);
    expect((await request(port, query)).status).toBe(200);
    // Only GET/HEAD.
    expect((await request(port, query, {}, 'POST')).status).toBe(404);
  });
});

describe('resolveEditorFile', () => {
  it('takes the resource after the loaders, keeps :line:col, refuses non-files', async () => {
    project = await createProject();
    const file = join(project.dir, 'src/index.js');
    expect(resolveEditorFile(`/x/node_modules/babel-loader/lib/index.js!${file}`)).toBe(file);
    expect(resolveEditorFile(`${file}?vue&type=script`)).toBe(file);
    expect(resolveEditorFile(`${file}:3:7`)).toBe(`${file}:3:7`);
    expect(resolveEditorFile('src/index.js')).toBeUndefined();
    expect(resolveEditorFile(join(project.dir, 'missing.js'))).toBeUndefined();
    expect(resolveEditorFile('$(touch /tmp/pwned)')).toBeUndefined();
  });
});
