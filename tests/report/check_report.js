// Opens a benchr-advise report in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core from report/package-lock.json) and checks that the page drew what it says:
// every chart the document lists has its container marked rendered by vegaEmbed, an <svg> with
// marks in it (points, lines, bars, areas: at least MIN_MARKS path or rect elements in Vega's
// role-mark groups, which axes and legends are not), no
// console error and no uncaught exception, and a screenshot that is not blank (more than
// MIN_INK_SHARE of its pixels differ from white, in more than MIN_COLOURS colours).
//
// Usage: node check_report.js REPORT.html [--screenshot OUT.png]
// Prints one line per chart and exits 0 when all pass, 1 when any check fails, 2 on bad usage.
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

// A chart with fewer marks than this drew no data: an empty Vega view still has its axes and
// gridlines (some dozen paths), so the data layers are counted apart: elements of a
// role-mark group (Vega's scenegraph) that are paths, symbols or rects.
const MIN_MARKS = 2;
// A blank page renders as one colour; the headings alone ink about 1% of it, charts much more.
const MIN_INK_SHARE = 0.02;
const MIN_COLOURS = 6;
const RENDER_TIMEOUT_MS = 30000;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

class Skip extends Error {}

async function main() {
  const args = process.argv.slice(2);
  if (args.length < 1) {
    console.error('usage: node check_report.js REPORT.html [--screenshot OUT.png]');
    process.exit(2);
  }
  const report = path.resolve(args[0]);
  const shotIndex = args.indexOf('--screenshot');
  const shotPath = shotIndex >= 0 ? args[shotIndex + 1] : null;

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const failures = [];
  const errors = [];
  const requests = [];  // nothing may come from the network: the page is self-contained
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    page.on('console', (m) => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
    page.on('pageerror', (e) => errors.push('exception: ' + e.message));
    page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });
    await page.goto('file://' + report, { waitUntil: 'load' });
    const ids = await page.evaluate(() => JSON.parse(document.getElementById('report-data').textContent).charts.map((c) => c.id));
    if (ids.length === 0) failures.push('the document lists no chart');
    await page.waitForFunction(
      (n) => document.querySelectorAll('.chart[data-rendered]').length === n, ids.length, { timeout: RENDER_TIMEOUT_MS });
    for (const id of ids) {
      const r = await page.evaluate((id) => {
        const box = document.getElementById('chart-' + id);
        const svg = box && box.querySelector('svg');
        const marks = svg ? svg.querySelectorAll('g[class*="role-mark"] path, g[class*="role-mark"] rect').length : 0;
        return { rendered: box ? box.dataset.rendered : 'missing', svg: !!svg, marks };
      }, id);
      const ok = r.rendered === '1' && r.svg && r.marks >= MIN_MARKS;
      console.log(`${ok ? 'ok  ' : 'FAIL'} chart ${id}: rendered=${r.rendered} svg=${r.svg} marks=${r.marks}`);
      if (!ok) failures.push(`chart ${id} did not draw (rendered=${r.rendered}, svg=${r.svg}, marks=${r.marks})`);
    }
    // A page that already failed is not photographed: an empty chart can leave the page's layout
    // unsettled, and Chromium then waits out the screenshot's timeout for nothing.
    if (failures.length) throw new Skip();
    const png = await page.screenshot({ fullPage: true, path: shotPath || undefined, timeout: RENDER_TIMEOUT_MS });
    // The screenshot's pixels, read back through a canvas in a blank page.
    const blank = await browser.newPage();
    const ink = await blank.evaluate(async (b64) => {
      const img = new Image();
      img.src = 'data:image/png;base64,' + b64;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      let inked = 0;
      const colours = new Set();
      for (let i = 0; i < d.length; i += 4) {
        if (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245) inked++;
        if (colours.size < 1000) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      }
      return { share: inked / (d.length / 4), colours: colours.size, width: c.width, height: c.height };
    }, png.toString('base64'));
    console.log(`screenshot ${ink.width}x${ink.height}: ${(ink.share * 100).toFixed(1)}% inked, ${ink.colours} colours`);
    if (ink.share < MIN_INK_SHARE || ink.colours < MIN_COLOURS) failures.push('the screenshot is blank');
  } catch (e) {
    if (!(e instanceof Skip)) throw e;
    console.log('screenshot skipped: the page failed already');
  } finally {
    for (const e of errors) failures.push(e);
    for (const u of requests) failures.push('network request: ' + u);
    await browser.close();
  }
  for (const f of failures) console.log('FAIL ' + f);
  console.log(failures.length ? `${failures.length} failed` : 'all charts drew');
  process.exit(failures.length ? 1 : 0);
}

main().catch((e) => { console.error('check_report: ' + (e && e.stack || e)); process.exit(1); });
