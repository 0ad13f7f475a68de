/**
 * The shape view's webview in headless Chromium (Debian's, through playwright-core), fed the way
 * the extension feeds it: the real mollusk file with one shell's landmarks 3 and 10 swapped, a
 * shape no biologist would draw. Skips when Chromium or the data is missing.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import type { Browser, Page } from 'playwright-core';
import { requireData, repoRoot } from '../helpers/data';
import { parseTps } from '../../src/shared/tps/parse';
import { shapeViewModel } from '../../src/shared/morphometrics/shape-model';
import { workbenchPage } from '../../src/extension/workbench/webview-html';
import type { ShapeFromView, ShapeRendered, ShapeViewModel } from '../../src/shared/protocol/shape';

const CHROMIUM = process.env.LANDMARKS_CHROMIUM ?? '/usr/bin/chromium';
const ORIGIN = 'https://webview.test';

function swappedMollusks(file: string): ShapeViewModel {
  const doc = parseTps(fs.readFileSync(file, 'utf8'), file);
  const lms = doc.specimens[7].landmarks;
  [lms[2], lms[9]] = [lms[9], lms[2]];
  return shapeViewModel(doc, 'landmarks.tps');
}

describe('shape view webview (headless Chromium)', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let page: Page | undefined;
  const received: ShapeFromView[] = [];

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.warn(`    skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
      this.skip();
    }
    execFileSync(process.execPath, [path.join(repoRoot, 'esbuild.js'), 'webview-shape'], { cwd: repoRoot, stdio: 'ignore' });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'] });
  });

  after(async function () {
    await browser?.close();
  });

  async function show(model: ShapeViewModel): Promise<ShapeRendered> {
    page = await browser!.newPage({ viewport: { width: 1000, height: 900 } });
    const html = workbenchPage({ cspSource: ORIGIN }, `${ORIGIN}/shape.js`, 'shape', model.title);
    await page.route(`${ORIGIN}/**`, (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/') return route.fulfill({ contentType: 'text/html', body: html });
      if (url.pathname === '/shape.js') return route.fulfill({ contentType: 'text/javascript', path: path.join(repoRoot, 'dist/webview/shape.js') });
      return route.fulfill({ status: 404, body: '' });
    });
    let resolveRender: (r: ShapeRendered) => void = () => undefined;
    const rendered = new Promise<ShapeRendered>((r) => (resolveRender = r));
    await page.exposeFunction('__hostReceive', (m: ShapeFromView) => {
      received.push(m);
      if (m.type === 'ready') void page!.evaluate(`window.postMessage(${JSON.stringify({ type: 'show', model })}, '*')`);
      if (m.type === 'rendered') resolveRender(m.report);
    });
    await page.addInitScript(`window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__hostReceive(m), getState: () => undefined, setState: () => undefined });`);
    await page.goto(`${ORIGIN}/`);
    return rendered;
  }

  it('flags the shell with swapped landmarks as the worst outlier, lists by distance, and a click asks to open it', async function () {
    const model = swappedMollusks(requireData(this, 'mollusk', 'landmarks.tps'));
    const r = await show(model);
    assert.strictEqual(r.specimens, 150);
    assert.strictEqual(r.scatterDots, 150);
    assert.strictEqual(r.cloudDots, 150 * 15);
    assert.ok(r.outliers.includes(7), `outliers ${r.outliers}`);
    const rows = page!.locator('#shape-rows tr');
    assert.strictEqual(await rows.count(), 150);
    assert.strictEqual(await rows.first().getAttribute('data-index'), '7');
    assert.match((await rows.first().getAttribute('class')) ?? '', /outlier/);
    const distances = await page!.locator('#shape-rows tr td:nth-child(3)').allTextContents();
    const values = distances.map(Number);
    for (let i = 1; i < values.length; i++) assert.ok(values[i] <= values[i - 1], `row ${i + 1} out of order`);
    assert.match((await page!.locator('#outlier-banner').textContent()) ?? '', /outlier/);
    assert.match((await page!.locator('#scatter').textContent()) ?? '', /PC1 \(\d+\.\d%\)/);
    // Hovering the row draws that shell's shape over the consensus; clicking asks to open it.
    await rows.first().hover();
    assert.strictEqual(await page!.locator('#highlight circle').count(), 15);
    await rows.first().click();
    await page!.locator('#scatter circle.pc-dot[data-index="7"]').click();
    const opens = received.filter((m): m is Extract<ShapeFromView, { type: 'openSpecimen' }> => m.type === 'openSpecimen');
    assert.deepStrictEqual(opens.map((m) => m.index), [7, 7]);
    await rows.first().hover();
    const shot = path.join(repoRoot, '.test-artifacts', 'shape-view-mollusk.png');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page!.screenshot({ path: shot, fullPage: false });
    await page!.close();
  });
});
