import { defineConfig } from 'tsup';
import { createTsupConfig } from '../../tsup.config.base';

export default defineConfig(
  createTsupConfig({
    platform: 'browser',
    entry: [
      'src/index.ts',
      'src/api.ts',
      'src/transport.ts',
      'src/transports/websocket.ts',
      'src/transports/sockjs.ts',
      'src/wdsSocket.ts',
    ],
    // The transport seam stays a bare import for the user's webpack to resolve
    // (by default to our own ./transport entry, through the exports map).
    external: ['@hmrkit/client/transport'],
  }),
);
