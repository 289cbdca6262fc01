#!/usr/bin/env node
import { runCli } from '../dist/index.js';

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// The server is stopped; a handle a plugin forgot must not keep the process alive.
setTimeout(() => process.exit(code), 1000).unref();
