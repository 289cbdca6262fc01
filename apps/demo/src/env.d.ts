// Asset imports handled by webpack (see webpack.config.js). `import.meta.webpackHot`
// is typed by webpack's own module types (tsconfig.json "types": ["webpack/module"]).
declare module '*.svg' {
  const url: string;
  export default url;
}
declare module '*.css';
