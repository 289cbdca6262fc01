// A missing optional package is an option error at construction: nothing is built or
// written. The workspace has every optional peer installed, so this hides two of them
// from the dev-server's resolver the way a project without them would see it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DevServer } from '../src/index';
import { createCompiler, createProject, type Project } from './helpers';

const HIDDEN = new Set(['http-proxy-middleware', 'selfsigned']);

vi.mock('../src/peers', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/peers')>();
  return {
    ...actual,
    resolveOptionalPeer: (request: string, fromDir: string) =>
      HIDDEN.has(request) ? undefined : actual.resolveOptionalPeer(request, fromDir),
  };
});

// And no self-signed certificate cached by an earlier test run in this folder.
vi.mock('../src/network', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/network')>();
  return { ...actual, readCachedCertificate: () => undefined };
});

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

describe('a missing optional package', () => {
  it.each([
    [
      'proxy without http-proxy-middleware',
      { proxy: [{ context: ['/api'], target: 'http://127.0.0.1:1' }] },
      'devServer.proxy',
      'http-proxy-middleware',
    ],
    [
      "server: 'https' without selfsigned (and no certificate)",
      { server: 'https' },
      'devServer.server',
      'selfsigned',
    ],
  ])(
    '%s: MISSING_PEER naming the option, before anything is built',
    async (_name, options, option, pkg) => {
      project = await createProject();
      const compiler = createCompiler(project.dir);
      let error: unknown;
      try {
        new DevServer({ ...options, devMiddleware: { writeToDisk: true } }, compiler);
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ name: 'DevServerError', code: 'MISSING_PEER', option });
      expect((error as Error).message).toContain(`npm install --save-dev ${pkg}`);
      // The compiler never ran: no output on disk.
      expect(existsSync(join(project.dir, 'dist'))).toBe(false);
    },
  );
});
