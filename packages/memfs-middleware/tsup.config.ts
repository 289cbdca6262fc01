import { defineConfig } from 'tsup';
import { createTsupConfig } from '../../tsup.config.base';

// The core and one entry per framework adapter, so importing the core never loads a framework.
export default defineConfig(
  createTsupConfig({
    entry: ['src/index.ts', 'src/koa.ts', 'src/fastify.ts', 'src/hono.ts', 'src/hapi.ts'],
  }),
);
