// `npm run soak`: the durability soaks, which run for minutes (SOAK_MINUTES) and are not part of `npm test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/soak/**/*.soak.ts'],
    pool: 'forks',
    fileParallelism: false,
    hookTimeout: 120_000,
  },
});
