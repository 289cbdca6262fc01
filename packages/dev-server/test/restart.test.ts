import { getFreePort } from '@hmrkit/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { DevServer } from '../src/index';
import {
  connectFrames,
  createCompiler,
  createProject,
  type FrameClient,
  type Project,
  request,
  watcherSettled,
} from './helpers';

let project: Project | undefined;
let server: DevServer | undefined;
const clients: FrameClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.stop();
  server = undefined;
  await project?.cleanup();
  project = undefined;
});

describe('DevServer: stop() then start() on the same instance', () => {
  it('serves the bundle and the socket again after an in-process restart', async () => {
    project = await createProject();
    const port = await getFreePort();
    server = new DevServer(
      { host: '127.0.0.1', port, static: false, setupExitSignals: false },
      createCompiler(project.dir),
    );
    await server.start();
    await server.middleware?.ready();
    const before = await request(port, '/main.js');
    expect(before.status).toBe(200);

    await server.stop();
    await expect(request(port, '/main.js')).rejects.toThrow();

    await server.start();
    const after = await request(port, '/main.js');
    expect(after.status).toBe(200);
    expect(after.headers['content-type']).toMatch(/javascript/);
    expect(after.body).toBe(before.body);

    // The socket greets and reports the build as on a first start.
    await watcherSettled(server.compiler);
    const client = await connectFrames(`ws://127.0.0.1:${port}/ws`);
    clients.push(client);
    await client.waitForType('ok');
    expect(client.types()).toEqual(['hot', 'liveReload', 'reconnect', 'overlay', 'hash', 'ok']);

    // And edits still rebuild and reach the client.
    client.frames.length = 0;
    project.write('src/index.js', "document.title = 'v2';\n");
    await client.waitForType('ok');
    expect(client.types()).toContain('hash');
    expect((await request(port, '/main.js')).body).toContain('v2');
  });
});
