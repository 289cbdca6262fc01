import { defineConfig } from 'tsup';

// The first-build page's script (src/firstBuild.ts) as one self-contained
// browser script: served by a dev-server as is, not bundled by the user's webpack.
export default defineConfig({
  entry: { firstBuild: 'src/firstBuild.ts' },
  format: ['iife'],
  platform: 'browser',
  target: 'es2020',
  outDir: 'dist',
  clean: false,
  dts: false,
  sourcemap: false,
  minify: true,
  noExternal: [/.*/],
});
