// The React demo's webpack config, read by `hmrkit serve`. React Fast Refresh is
// @pmmmwh/react-refresh-webpack-plugin with its options left at their defaults
// (`overlay.sockIntegration: 'wds'`) plus `react-refresh/babel`: nothing in it is
// specific to hmrkit. Paths are relative to this file, so a copy of the app builds itself.
import { fileURLToPath } from 'node:url';
import ReactRefreshPlugin from '@pmmmwh/react-refresh-webpack-plugin';
import HtmlWebpackPlugin from 'html-webpack-plugin';

const context = fileURLToPath(new URL('.', import.meta.url));

/** @type {import('webpack').Configuration & { devServer?: Record<string, unknown> }} */
export default {
  mode: 'development',
  context,
  entry: './src/index.jsx',
  output: {
    path: fileURLToPath(new URL('dist/', import.meta.url)),
    publicPath: '/',
  },
  resolve: {
    extensions: ['.jsx', '.js'],
  },
  module: {
    rules: [
      {
        test: /\.jsx?$/,
        include: fileURLToPath(new URL('src/', import.meta.url)),
        loader: 'babel-loader',
        options: {
          // Only what is here: no babel config file is looked up.
          babelrc: false,
          configFile: false,
          presets: [['@babel/preset-react', { runtime: 'automatic', development: true }]],
          plugins: ['react-refresh/babel'],
        },
      },
    ],
  },
  plugins: [new HtmlWebpackPlugin({ template: './src/index.html' }), new ReactRefreshPlugin()],
  devServer: {
    // `pnpm dev` serves http://localhost:8081/ (apps/demo has 8080) on the loopback interface only.
    host: 'localhost',
    port: 8081,
    static: false,
  },
};
