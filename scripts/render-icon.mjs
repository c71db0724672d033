// Renders the extension's 128 px PNG icon (Extensions view, Marketplace) from media/arvados.svg:
// the activity bar's line drawing, in white on a rounded tile. Uses Playwright's Chromium
// (CHROMIUM, else /usr/bin/chromium). `npm run icon` rewrites media/icon.png; commit it.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIZE = 128;
const svg = readFileSync(join(ROOT, 'media', 'arvados.svg'), 'utf8');
const html = `<!doctype html><html><body style="margin:0;background:transparent">
<div style="width:${SIZE}px;height:${SIZE}px;border-radius:24px;background:linear-gradient(135deg,#2b7a9b,#174a61);display:flex;align-items:center;justify-content:center;color:#ffffff">
  <div style="width:96px;height:96px">${svg.replace('<svg ', '<svg style="width:100%;height:100%" ')}</div>
</div></body></html>`;

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 });
  await page.setContent(html);
  const out = join(ROOT, 'media', 'icon.png');
  await page.screenshot({ path: out, omitBackground: true, clip: { x: 0, y: 0, width: SIZE, height: SIZE } });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
