/**
 * The editor webview in plain headless Chromium (Debian's, through playwright-core), fed by a
 * small host that speaks src/shared/protocol/editor.ts the way the extension does: real TPS file,
 * real photos (sizes from the extension's ImageCache), edits applied with the shared edit model.
 * Skips when Chromium or the data is missing. Screenshots go to .test-artifacts/.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import type { Browser, Page } from 'playwright-core';
import { requireData, repoRoot } from '../helpers/data';
import { parseTps } from '../../src/shared/tps/parse';
import { applyEdit, prepareEdit, type LandmarkEdit } from '../../src/shared/editing/edits';
import { specimenViews, problemLines } from '../../src/shared/editing/views';
import type { HostToWebview, RenderReport, WebviewToHost, ImageInfo } from '../../src/shared/protocol/editor';
import type { TpsDocument } from '../../src/shared/tps/model';
import { getField } from '../../src/shared/tps/model';
import { ImageCache } from '../../src/extension/editor/images';
import { editorHtml } from '../../src/extension/editor/html';
import { resolveImagePath } from '../../src/shared/dataset/images';

const CHROMIUM = process.env.LANDMARKS_CHROMIUM ?? '/usr/bin/chromium';
const ORIGIN = 'https://webview.test';
const artifacts = path.join(repoRoot, '.test-artifacts');

/** A fake extension host for one TPS file, driving one page. */
class Host {
  doc: TpsDocument;
  readonly edits: LandmarkEdit[] = [];
  readonly reports: RenderReport[] = [];
  readonly logs: string[] = [];
  private waiters: { pred: (r: RenderReport) => boolean; resolve: (r: RenderReport) => void }[] = [];
  constructor(
    readonly tpsPath: string,
    readonly page: Page,
    readonly images: ImageCache,
    text = fs.readFileSync(tpsPath, 'utf8'),
  ) {
    this.doc = parseTps(text, tpsPath);
  }
  send(m: HostToWebview): Promise<void> {
    return this.page.evaluate(`window.postMessage(${JSON.stringify(m)}, '*')`);
  }
  async receive(m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        await this.send({
          type: 'init',
          fileName: path.basename(this.tpsPath),
          specimens: specimenViews(this.doc),
          settings: { landmarkSize: 7 },
          selected: 0,
          problems: problemLines(this.doc),
        });
        return;
      case 'edit': {
        const e = prepareEdit(this.doc, m.edit);
        applyEdit(this.doc, e);
        this.edits.push(e);
        await this.send({ type: 'update', specimens: specimenViews(this.doc), problems: problemLines(this.doc) });
        return;
      }
      case 'requestImage':
        await this.send({ type: 'image', image: await this.imageInfo(m.specimen) });
        return;
      case 'rendered':
        this.reports.push(m.report);
        this.waiters = this.waiters.filter((w) => (w.pred(m.report) ? (w.resolve(m.report), false) : true));
        return;
      case 'log':
        this.logs.push(m.message);
        return;
      default:
        return;
    }
  }
  private async imageInfo(specimen: number): Promise<ImageInfo> {
    const field = getField(this.doc.specimens[specimen], 'IMAGE') ?? '';
    const file = await resolveImagePath(this.tpsPath, field);
    if (!file) return { specimen, problem: `Image not found: IMAGE=${field}` };
    const img = await this.images.prepare(file);
    return { specimen, src: `${ORIGIN}/file${encodeURI(img.displayPath)}`, width: img.width, height: img.height, path: file };
  }
  waitForRender(pred: (r: RenderReport) => boolean, timeoutMs = 15000): Promise<RenderReport> {
    const hit = this.reports.slice().reverse().find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no matching render; last ${JSON.stringify(this.reports.at(-1))}; logs ${this.logs.join(' | ')}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (r) => (clearTimeout(t), resolve(r)) });
    });
  }
}

describe('editor webview (headless Chromium)', function () {
  this.timeout(90_000);
  let browser: Browser | undefined;
  let cacheDir: string;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.warn(`    skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
      this.skip();
    }
    execFileSync(process.execPath, [path.join(repoRoot, 'esbuild.js'), 'webview-editor'], { cwd: repoRoot, stdio: 'ignore' });
    cacheDir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'lm-editor-cache-'));
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
    });
  });

  after(async function () {
    await beetle?.page.close();
    await browser?.close();
    if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  /** One page on the beetle file, shared by the tests that read it (one decode of the big photo). */
  let beetle: Host | undefined;
  async function beetleHost(ctx: Mocha.Context): Promise<Host> {
    const tps = requireData(ctx, 'beetles', 'pronotum', 'landmarks.tps');
    beetle ??= await open(tps);
    await beetle.waitForRender((x) => x.specimen === 0 && x.imageLoaded);
    return beetle;
  }

  async function open(tpsPath: string, text?: string): Promise<Host> {
    const page = await browser!.newPage({ viewport: { width: 1200, height: 800 } });
    const host = new Host(tpsPath, page, new ImageCache(cacheDir), text);
    const fakeWebview = { cspSource: ORIGIN } as unknown as import('vscode').Webview;
    const html = editorHtml(fakeWebview, { toString: () => `${ORIGIN}/editor.js` } as never, { toString: () => `${ORIGIN}/editor.css` } as never, 'test');
    await page.route(`${ORIGIN}/**`, async (route) => {
      const url = new URL(route.request().url());
      // VS Code's default webview style comes first, as in VS Code (it caps img at 100% height).
      if (url.pathname === '/') return route.fulfill({ contentType: 'text/html', body: html.replace('<link rel="stylesheet"', `<link rel="stylesheet" href="${ORIGIN}/vscode-default.css"><link rel="stylesheet"`) });
      if (url.pathname === '/vscode-default.css') return route.fulfill({ contentType: 'text/css', body: 'img, video { max-width: 100%; max-height: 100%; }' });
      if (url.pathname === '/editor.js') return route.fulfill({ contentType: 'text/javascript', path: path.join(repoRoot, 'dist/webview/editor.js') });
      if (url.pathname === '/editor.css') return route.fulfill({ contentType: 'text/css', path: path.join(repoRoot, 'media/editor.css') });
      if (url.pathname.startsWith('/file/')) return route.fulfill({ path: decodeURI(url.pathname.slice('/file'.length)) });
      return route.fulfill({ status: 404, body: 'not found' });
    });
    page.on('pageerror', (e) => host.logs.push(`pageerror: ${e.message}`));
    page.on('console', (msg) => {
      host.logs.push(`${msg.type()}: ${msg.text()}`);
    });
    await page.exposeFunction('__hostReceive', (m: WebviewToHost) => host.receive(m));
    // A string, not a function: tsx would wrap a function with helpers the page does not have.
    await page.addInitScript(`{
      let state;
      window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__hostReceive(m), getState: () => state, setState: (s) => { state = s; } });
    }`);
    await page.goto(`${ORIGIN}/`);
    return host;
  }

  it('draws the beetle pronotum photo with its 8 landmarks at (x, H - y)', async function () {
    const host = await beetleHost(this);
    const r = host.reports.find((x) => x.specimen === 0 && x.imageLoaded)!;
    assert.strictEqual(r.landmarks, 8);
    assert.strictEqual(r.drawn, 8);
    assert.strictEqual(r.imageWidth, 3264);
    assert.strictEqual(r.imageHeight, 2448);
    const lms = host.doc.specimens[0].landmarks;
    r.positions.forEach((p, i) => {
      assert.ok(p && lms[i]);
      assert.ok(Math.abs(p.x - lms[i]!.x) < 1e-6 && Math.abs(p.y - (2448 - lms[i]!.y)) < 1e-6, `landmark ${i + 1} at ${JSON.stringify(p)}`);
    });
    assert.strictEqual(await host.page.locator('#overlay g.marker').count(), 8);
    // The photo is drawn whole, at its aspect ratio, and every marker sits on it where it should.
    const pb = (await host.page.locator('#photo').boundingBox())!;
    assert.ok(Math.abs(pb.width / pb.height - 3264 / 2448) < 0.01, `photo drawn ${pb.width}x${pb.height}`);
    for (let i = 0; i < 8; i++) {
      const mb = (await host.page.locator(`#overlay g.marker[data-landmark="${i}"] circle.dot`).boundingBox())!;
      const cx = mb.x + mb.width / 2, cy = mb.y + mb.height / 2;
      const expectX = pb.x + (lms[i]!.x / 3264) * pb.width, expectY = pb.y + ((2448 - lms[i]!.y) / 2448) * pb.height;
      assert.ok(Math.abs(cx - expectX) < 1 && Math.abs(cy - expectY) < 1, `marker ${i + 1} at ${cx},${cy}, expected ${expectX},${expectY}`);
    }
    assert.deepStrictEqual(host.logs.filter((l) => /error|refused|violat/i.test(l)), [], 'console errors or CSP violations');
    fs.mkdirSync(artifacts, { recursive: true });
    await host.page.screenshot({ path: path.join(artifacts, 'webview-beetle-pronotum.png') });
  });

  it('moves a landmark by dragging it with the mouse, and by a test action, in TPS coordinates', async function () {
    const host = await beetleHost(this);
    const n = host.edits.length;
    const marker = host.page.locator('#overlay g.marker[data-landmark="2"] circle.dot');
    const box = (await marker.boundingBox())!;
    const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
    const zoom = host.reports.at(-1)!.zoom;
    await host.page.mouse.move(cx, cy);
    await host.page.mouse.down();
    await host.page.mouse.move(cx + 20, cy + 10, { steps: 4 });
    await host.page.mouse.up();
    await host.waitForRender(() => host.edits.length === n + 1);
    const e = host.edits[n];
    assert.strictEqual(e.kind, 'move');
    if (e.kind !== 'move') return;
    assert.strictEqual(e.index, 2);
    assert.deepStrictEqual(e.from, { x: 2677.5, y: 1823.25 });
    // 20 screen px right and 10 down = +20/zoom in x and -10/zoom in TPS y (y up).
    assert.ok(Math.abs(e.to.x - (2677.5 + 20 / zoom)) < 1.5 / zoom + 0.02, `x ${e.to.x}`);
    assert.ok(Math.abs(e.to.y - (1823.25 - 10 / zoom)) < 1.5 / zoom + 0.02, `y ${e.to.y}`);

    await host.send({ type: 'testAction', action: { kind: 'move', specimen: 0, landmark: 0, x: 100, y: 200 } });
    const r = await host.waitForRender((x) => host.edits.length === n + 2 && x.positions[0]?.x === 100);
    const moved = host.edits[n + 1];
    assert.strictEqual(moved.kind, 'move');
    assert.deepStrictEqual(moved.kind === 'move' ? moved.to : undefined, { x: 100, y: 2448 - 200 });
    assert.deepStrictEqual(r.positions[0], { x: 100, y: 200 });
  });

  it('is keyboard-usable: PageDown, Tab to a landmark, arrow nudge, M, Delete', async function () {
    const host = await beetleHost(this);
    const n = host.edits.length;
    await host.page.locator('#viewport').focus();
    const t0 = Date.now();
    await host.page.keyboard.press('PageDown');
    await host.waitForRender((x) => x.specimen === 1 && x.imageLoaded);
    console.log(`      next 3264x2448 specimen drawn ${Date.now() - t0} ms after PageDown`);
    await host.page.keyboard.press('Tab');
    const focused = await host.page.evaluate(() => document.activeElement?.getAttribute('data-landmark'));
    assert.strictEqual(focused, '0');
    const before = host.doc.specimens[1].landmarks[0]!;
    await host.page.keyboard.press('Shift+ArrowRight');
    await host.waitForRender(() => host.edits.length === n + 1);
    assert.deepStrictEqual(host.doc.specimens[1].landmarks[0], { x: before.x + 10, y: before.y });
    await host.page.keyboard.press('Tab');
    await host.page.keyboard.press('ArrowUp'); // image up = TPS y + 1
    await host.waitForRender(() => host.edits.length === n + 2);
    const lm1 = host.edits[n + 1];
    assert.ok(lm1.kind === 'move' && lm1.index === 1 && lm1.to.y === lm1.from!.y + 1, JSON.stringify(lm1));
    await host.page.keyboard.press('m');
    const r = await host.waitForRender((x) => x.specimen === 1 && host.edits.length === n + 3 && x.missing === 1);
    assert.strictEqual(r.drawn, 7);
    assert.strictEqual(host.doc.specimens[1].landmarks[1], null);
    await host.page.locator('#overlay g.marker[data-landmark="3"]').focus();
    await host.page.keyboard.press('Delete');
    const r2 = await host.waitForRender((x) => x.specimen === 1 && host.edits.length === n + 4 && x.landmarks === 7);
    assert.strictEqual(r2.drawn, 6);
  });

  it('places a missing landmark with a click, and adds one in add mode', async function () {
    const host = await beetleHost(this);
    const n = host.edits.length;
    await host.send({ type: 'select', specimen: 2 });
    await host.waitForRender((x) => x.specimen === 2 && x.imageLoaded);
    await host.page.locator('#overlay g.marker[data-landmark="0"]').focus();
    await host.page.keyboard.press('m');
    await host.waitForRender((x) => x.specimen === 2 && x.missing === 1 && host.edits.length === n + 1);
    // Pick the missing landmark in the table, click on the photo: it is placed there.
    await host.page.locator('#landmark-rows tr[data-landmark="0"]').click();
    const pb = (await host.page.locator('#photo').boundingBox())!;
    await host.page.mouse.click(pb.x + pb.width * 0.6, pb.y + pb.height / 2); // no marker there
    const placed = await host.waitForRender((x) => x.specimen === 2 && x.missing === 0 && x.positions[0]?.x !== 2167.5 && host.edits.length === n + 2);
    const e = host.edits[n + 1];
    assert.ok(e.kind === 'move' && e.from === null && e.index === 0, JSON.stringify(e));
    assert.ok(Math.abs(placed.positions[0]!.x - 1958.4) < 3 && Math.abs(placed.positions[0]!.y - 1224) < 3, JSON.stringify([placed.positions[0], host.edits.slice(n)]));
    // Add mode: a click adds landmark 9 at the end.
    await host.page.keyboard.press('a');
    await host.page.mouse.click(pb.x + pb.width / 4, pb.y + pb.height / 2);
    const added = await host.waitForRender((x) => x.specimen === 2 && x.landmarks === 9 && host.edits.length === n + 3);
    const a = host.edits[n + 2];
    assert.ok(a.kind === 'add' && a.index === 8, JSON.stringify(a));
    assert.ok(Math.abs(added.positions[8]!.x - 816) < 3 && Math.abs(added.positions[8]!.y - 1224) < 3, JSON.stringify(added.positions[8]));
    await host.page.keyboard.press('Escape');
    assert.strictEqual(await host.page.locator('#viewport.add-mode').count(), 0);
  });

  it('keeps markers the same size on screen at any zoom', async function () {
    const tps = requireData(this, 'drosophila-wings', 'landmarks.tps');
    const host = await open(tps);
    const r0 = await host.waitForRender((x) => x.specimen === 0 && x.imageLoaded);
    assert.strictEqual(r0.drawn, 12);
    assert.deepStrictEqual([r0.imageWidth, r0.imageHeight], [632, 480]);
    const size = async () => (await host.page.locator('#overlay g.marker[data-landmark="0"] circle.dot').boundingBox())!.width;
    const s0 = await size();
    const vp = (await host.page.locator('#viewport').boundingBox())!;
    await host.page.mouse.move(vp.x + vp.width / 2, vp.y + vp.height / 2);
    for (let i = 0; i < 5; i++) await host.page.mouse.wheel(0, -200);
    const r1 = await host.waitForRender((x) => x.zoom > r0.zoom * 3);
    assert.ok(Math.abs((await size()) - s0) < 0.5, `marker ${s0} px wide at zoom ${r0.zoom}, ${await size()} at ${r1.zoom}`);
    await host.page.close();
  });

  it('shows landmarks on a blank canvas and says what is missing when the photo is not found', async function () {
    const tps = requireData(this, 'drosophila-wings', 'landmarks.tps');
    const text = fs.readFileSync(tps, 'utf8').replace('IMAGE=63001.jpg', 'IMAGE=no-such-wing.jpg');
    const host = await open(tps, text);
    const r = await host.waitForRender((x) => x.specimen === 0);
    assert.strictEqual(r.imageLoaded, false);
    assert.strictEqual(r.drawn, 12);
    assert.match(r.problem ?? '', /no-such-wing\.jpg/);
    assert.match((await host.page.locator('#notice').textContent()) ?? '', /Image not found: IMAGE=no-such-wing\.jpg/);
    // Every landmark lies inside the blank canvas.
    for (const p of r.positions) assert.ok(p && p.y > 0 && p.y < r.imageHeight, JSON.stringify(p));
    fs.mkdirSync(artifacts, { recursive: true });
    await host.page.screenshot({ path: path.join(artifacts, 'webview-missing-image.png') });
    await host.page.close();
  });
});
