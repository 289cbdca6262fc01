import { defineConfig } from 'tsup';
import { createTsupConfig } from '../../tsup.config.base';

// Runs inside the user's webpack bundle (browser, or Node for poll/signal).
// `import.meta.webpackHot` is kept for the user's webpack to resolve; the CJS
// build spells it `module.hot`, the form webpack resolves in CommonJS modules.
export default defineConfig(
  createTsupConfig({
    platform: 'browser',
    entry: ['src/index.ts', 'src/only.ts', 'src/poll.ts', 'src/signal.ts', 'src/api.ts'],
    esbuildOptions(options, context) {
      if (context.format === 'cjs') {
        options.define = { ...options.define, 'import.meta.webpackHot': 'module.hot' };
      }
    },
  }),
);
