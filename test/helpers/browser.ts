// Headless Chromium (Debian's chromium) driven by playwright-core, for the web console's browser
// tests; call requireProgram('chromium') first and skip without it. Screenshots go to
// test-artifacts/ (kept by CI, ignored by git).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { programPath } from './programs.js';

export const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: programPath('chromium'),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Writes the page (all of it, or only what the viewport shows) as test-artifacts/<folder>/<name>.png and answers the file's path. */
export async function screenshot(page: Page, folder: string, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  const dir = join(ARTIFACTS_DIR, folder);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? true });
  return path;
}
