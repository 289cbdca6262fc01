import { defineConfig } from 'tsup';
import { createTsupConfig } from '../../tsup.config.base';

// Node only: ws and sockjs stay external (dependency and optional peer).
export default defineConfig(createTsupConfig({ shims: true }));
