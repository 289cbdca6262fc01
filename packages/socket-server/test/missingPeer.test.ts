import { expect, it, vi } from 'vitest';

// Simulate an install without the optional peer `sockjs`.
vi.mock('node:module', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:module')>();
  return {
    ...actual,
    createRequire: () => (id: string) => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    },
  };
});

it('names the missing package when sockjs is chosen but not installed', async () => {
  const { createSocketServer, SocketServerError } = await import('../src/index');
  let error: unknown;
  try {
    createSocketServer({ transport: 'sockjs' });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(SocketServerError);
  expect(error).toMatchObject({ code: 'MISSING_PEER', option: 'transport' });
  expect((error as Error).message).toMatch(/"sockjs" package/);
  // ws needs nothing optional.
  const sockets = createSocketServer();
  expect(sockets.transport).toBe('ws');
  await sockets.close();
});
