// The README's API table is generated from the handler registry; this fails when it is stale.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withTable } from '../tools/api-table.js';

describe('README', () => {
  it('lists exactly the served APIs and versions (run `npm run docs:apis` to refresh)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toBe(withTable(readme));
  });
});
