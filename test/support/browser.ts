/** Headless Chromium (Debian's `chromium`, driven by playwright-core) for checking pages as a person sees them. */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const OUTPUT_DIR = join(__dirname, '..', '..', 'test-output');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`headless Chromium not found at ${CHROMIUM}: run scripts/setup.sh as root (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface PageCheck {
  errors: string[];
  requests: string[];
  plots: { width: number; height: number; marks: number }[];
  title: string;
  images: number;
  /** The page's rendered text (what a reader sees; hidden elements excluded). */
  text: string;
}

/** Opens a page from disk; returns what went wrong in it and every plot's rendered size; keeps a screenshot. */
export async function inspectPage(browser: Browser, file: string, screenshot?: string): Promise<PageCheck> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('dialog', (d) => errors.push(`dialog: ${d.message()}`));
  page.on('request', (r) => !r.url().startsWith('file:') && requests.push(r.url()));
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const svgs = page.locator('figure.plot svg');
    const plots = [];
    for (let i = 0; i < (await svgs.count()); i++) {
      const box = await svgs.nth(i).boundingBox();
      plots.push({ width: box?.width ?? 0, height: box?.height ?? 0, marks: await svgs.nth(i).locator('path, circle, rect, line').count() });
    }
    if (screenshot) {
      mkdirSync(OUTPUT_DIR, { recursive: true });
      await page.screenshot({ path: join(OUTPUT_DIR, screenshot), fullPage: true });
    }
    return { errors, requests, plots, title: await page.title(), images: await page.locator('img').count(), text: await page.locator('body').innerText() };
  } finally {
    await page.close();
  }
}
