// The second majors are installed under npm aliases (package.json); their types are the
// ones of the first major's package, which is what the tests use of them.
declare module 'express-5' {
  import express from 'express';
  export default express;
}

declare module 'hono-node-server-1' {
  export * from '@hono/node-server';
}
