import { defineConfig } from 'tsup';
import { createTsupConfig } from '../../tsup.config.base';

// shims: import.meta.url in the CJS build (entries and optional peers are resolved from here).
export default defineConfig(createTsupConfig({ shims: true }));
