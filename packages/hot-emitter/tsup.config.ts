import { defineConfig } from 'tsup';
import { createTsupConfig } from '../../tsup.config.base';

// Runs in Node and in the browser: a neutral build with no Node built-ins.
export default defineConfig(createTsupConfig({ platform: 'neutral' }));
