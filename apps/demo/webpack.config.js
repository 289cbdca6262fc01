// The demo's webpack config, read by `hmrkit serve` (and by `webpack` for a plain build).
// Paths are relative to this file, so a copy of the app (the e2e tests make one) builds itself.
import { fileURLToPath } from 'node:url';
import HtmlWebpackPlugin from 'html-webpack-plugin';

const context = fileURLToPath(new URL('.', import.meta.url));

/** @type {import('webpack').Configuration & { devServer?: Record<string, unknown> }} */
export default {
  mode: 'development',
  context,
  entry: './src/index.ts',
  output: {
    path: fileURLToPath(new URL('dist/', import.meta.url)),
    publicPath: '/',
  },
  resolve: {
    extensions: ['.ts', '.js'],
  },
  module: {
    rules: [
      {
        test: /\.ts$/,
        loader: 'ts-loader',
        // Type errors are `pnpm typecheck`'s job; the dev loop only strips types.
        options: { transpileOnly: true },
      },
      { test: /\.css$/, use: ['style-loader', 'css-loader'] },
      { test: /\.svg$/, type: 'asset/resource' },
    ],
  },
  plugins: [new HtmlWebpackPlugin({ template: './src/index.html', favicon: './src/logo.svg' })],
  devServer: {
    // `pnpm dev` serves http://localhost:8080/ on the loopback interface only.
    host: 'localhost',
    port: 8080,
    // Everything the page needs comes out of webpack: no static directory.
    static: false,
  },
};
