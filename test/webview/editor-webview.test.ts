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
import type { EditorSettings, HostToWebview, WebviewToHost, ImageInfo, SpecimenView } from '../../src/shared/protocol/editor';
import type { EditorTestMethods, RenderReport, TestAction, WebviewToHostTest } from '../../src/shared/protocol/editor-test';
import { RequestClient } from '../../src/shared/protocol/requests';
import { formatPredictionComment } from '../../src/shared/tps/review';
import type { TpsDocument } from '../../src/shared/tps/model';
import { getField } from '../../src/shared/tps/model';
import { ImageCache } from '../../src/extension/editor/images';
import { editorHtml } from '../../src/extension/editor/html';
import { resolveImagePath } from '../../src/shared/dataset/images';

const CHROMIUM = process.env.LANDMARKS_CHROMIUM ?? '/usr/bin/chromium';
const ORIGIN = 'https://webview.test';
const artifacts = path.join(repoRoot, '.test-artifacts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Box = { x: number; y: number; width: number; height: number };
function intersects(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** A fake extension host for one TPS file, driving one page. */
class Host {
  doc: TpsDocument;
  readonly edits: LandmarkEdit[] = [];
  readonly reports: RenderReport[] = [];
  readonly logs: string[] = [];
  private waiters: { pred: (r: RenderReport) => boolean; resolve: (r: RenderReport) => void }[] = [];
  /** Ask for a render report after every render, as the extension does in ExtensionMode.Test (false: as for users). */
  watch = true;
  /** Every message the page posted, by type. */
  readonly received: string[] = [];
  /** Test requests (editor-test.ts), as the extension's test API asks them. */
  private readonly requests = new RequestClient<EditorTestMethods>((m) => this.page.evaluate(`window.postMessage(${JSON.stringify(m)}, '*')`));
  constructor(
    readonly tpsPath: string,
    readonly page: Page,
    readonly images: ImageCache,
    text = fs.readFileSync(tpsPath, 'utf8'),
    /** Changes what the host sends of the document (e.g. to simulate fields a newer host sends). */
    private readonly viewsHook: (views: SpecimenView[]) => SpecimenView[] = (v) => v,
    /** The settings the host sends in `init` (the extension reads them from landmarks.editor / landmarks.review). */
    public settings: EditorSettings = { landmarkSize: 7 },
  ) {
    this.doc = parseTps(text, tpsPath);
  }
  views(): SpecimenView[] {
    return this.viewsHook(specimenViews(this.doc));
  }
  send(m: HostToWebview): Promise<void> {
    return this.page.evaluate(`window.postMessage(${JSON.stringify(m)}, '*')`);
  }
  /** Runs a test action in the webview; resolves with its reply, the report once the action settled. */
  testAction(action: TestAction, timeoutMs = 15000): Promise<RenderReport> {
    return this.requests.request('action', action, timeoutMs);
  }
  /** Asks what is drawn now (the reply comes once the photo loaded). */
  report(timeoutMs = 15000): Promise<RenderReport> {
    return this.requests.request('report', {}, timeoutMs);
  }
  async receive(m: WebviewToHost | WebviewToHostTest): Promise<void> {
    this.received.push(m.type);
    switch (m.type) {
      case 'response':
        this.requests.settle(m);
        return;
      case 'ready':
        await this.send({
          type: 'init',
          fileName: path.basename(this.tpsPath),
          specimens: this.views(),
          settings: this.settings,
          selected: 0,
          problems: problemLines(this.doc),
        });
        // As the extension does in ExtensionMode.Test: a render report after every render.
        if (this.watch) await this.requests.request('watch', {}, 15000);
        return;
      case 'edit': {
        const e = prepareEdit(this.doc, m.edit);
        applyEdit(this.doc, e);
        this.edits.push(e);
        await this.send({ type: 'update', specimens: this.views(), problems: problemLines(this.doc) });
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
  /** The newest report matching `pred` among those from index `since` on (default: all), or the next one. */
  waitForRender(pred: (r: RenderReport) => boolean, timeoutMs = 15000, since = 0): Promise<RenderReport> {
    const hit = this.reports.slice(since).reverse().find(pred);
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

  async function open(
    tpsPath: string,
    text?: string,
    options: { size?: { width: number; height: number }; views?: (v: SpecimenView[]) => SpecimenView[]; settings?: EditorSettings; watch?: boolean } = {},
  ): Promise<Host> {
    const page = await browser!.newPage({ viewport: options.size ?? { width: 1200, height: 800 } });
    const host = new Host(tpsPath, page, new ImageCache(cacheDir), text, options.views, options.settings);
    host.watch = options.watch ?? true;
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

    // The reply is the report drawn once the edit came back from the host: no polling.
    const r = await host.testAction({ kind: 'move', specimen: 0, landmark: 0, x: 100, y: 200 });
    assert.strictEqual(host.edits.length, n + 2);
    const moved = host.edits[n + 1];
    assert.strictEqual(moved.kind, 'move');
    assert.deepStrictEqual(moved.kind === 'move' ? moved.to : undefined, { x: 100, y: 2448 - 200 });
    assert.deepStrictEqual(r.positions[0], { x: 100, y: 200 });
  });

  it('a click on a marker with a pixel of jitter moves nothing; a drag grabbed off-centre moves it by the pointer\'s displacement only', async function () {
    const host = await beetleHost(this);
    const n = host.edits.length;
    const marker = host.page.locator('#overlay g.marker[data-landmark="5"] circle.dot');
    const box = (await marker.boundingBox())!;
    const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
    const zoom = host.reports.at(-1)!.zoom;
    const before = host.doc.specimens[0].landmarks[5]!;
    // Pressed 4 px off the centre, released after 1 px of jitter: a selection, not a move.
    await host.page.mouse.move(cx + 4, cy - 3);
    await host.page.mouse.down();
    await host.page.mouse.move(cx + 5, cy - 3);
    await host.page.mouse.up();
    await host.waitForRender((x) => x.selectedLandmark === 5);
    await sleep(300);
    assert.strictEqual(host.edits.length, n, 'a click with jitter moved the landmark');
    // Grabbed 4 px right of the centre and dragged 30 px right: the centre moves 30 px, not 34.
    await host.page.mouse.move(cx + 4, cy);
    await host.page.mouse.down();
    await host.page.mouse.move(cx + 34, cy, { steps: 5 });
    await host.page.mouse.up();
    await host.waitForRender(() => host.edits.length === n + 1);
    const e = host.edits[n];
    assert.strictEqual(e.kind, 'move');
    if (e.kind !== 'move') return;
    assert.ok(Math.abs(e.to.x - (before.x + 30 / zoom)) < 1.5 / zoom + 0.02, `x ${e.to.x}, expected ${before.x + 30 / zoom}`);
    assert.ok(Math.abs(e.to.y - before.y) < 1.5 / zoom + 0.02, `y ${e.to.y}`);
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

  it('places a missing landmark only in placing mode (Enter, P, the Place button) and only on the photo; a plain click does not edit', async function () {
    const host = await beetleHost(this);
    const n = host.edits.length;
    await host.send({ type: 'select', specimen: 2 });
    await host.waitForRender((x) => x.specimen === 2 && x.imageLoaded);
    await host.page.locator('#overlay g.marker[data-landmark="0"]').focus();
    await host.page.keyboard.press('m');
    await host.waitForRender((x) => x.specimen === 2 && x.missing === 1 && host.edits.length === n + 1);
    await host.page.locator('#landmark-rows tr[data-landmark="0"]').click();
    await host.waitForRender((x) => x.specimen === 2 && x.selectedLandmark === 0 && x.missing === 1);
    const pb = (await host.page.locator('#photo').boundingBox())!;
    const onPhoto = { x: pb.x + pb.width * 0.6, y: pb.y + pb.height / 2 }; // no marker there

    // The reported bug: with a missing landmark selected, any click placed it. A plain click
    // now only says how to place it.
    let k = host.reports.length;
    await host.page.mouse.click(onPhoto.x, onPhoto.y);
    const told = await host.waitForRender((x) => /Not placed: press P/.test(x.status), 5000, k);
    assert.strictEqual(told.selectedLandmark, 0, 'the missing landmark stays selected');
    assert.strictEqual(told.placing, null);
    await sleep(300);
    assert.strictEqual(host.edits.length, n + 1, `a plain click edited: ${JSON.stringify(host.edits.slice(n + 1))}`);

    // Enter on the selected missing landmark: placing mode, announced; Escape leaves it.
    k = host.reports.length;
    await host.page.keyboard.press('Enter');
    const placing = await host.waitForRender((x) => x.placing === 0, 5000, k);
    assert.match(placing.status, /Placing landmark 1/);
    fs.mkdirSync(artifacts, { recursive: true });
    await host.page.screenshot({ path: path.join(artifacts, 'webview-placing.png') });
    assert.match(placing.status, /Esc/);
    k = host.reports.length;
    await host.page.keyboard.press('Escape');
    const left = await host.waitForRender((x) => x.placing === null, 5000, k);
    assert.strictEqual(left.selectedLandmark, 0);
    await host.page.mouse.click(onPhoto.x, onPhoto.y);
    await sleep(300);
    assert.strictEqual(host.edits.length, n + 1, 'a click after Escape edited');

    // P enters it too; a click outside the photo (above it, in the viewport) is ignored with a
    // message, as is the test hook's click at the y = -57.5 of the report.
    k = host.reports.length;
    await host.page.keyboard.press('p');
    await host.waitForRender((x) => x.placing === 0, 5000, k);
    const vb = (await host.page.locator('#viewport').boundingBox())!;
    assert.ok(pb.y - 6 > vb.y, `no room above the photo in the viewport (${JSON.stringify({ pb, vb })})`);
    k = host.reports.length;
    await host.page.mouse.click(onPhoto.x, pb.y - 6);
    const outside = await host.waitForRender((x) => /outside the photo/i.test(x.status), 5000, k);
    assert.strictEqual(outside.placing, 0, 'still placing after a click outside the photo');
    const hooked = await host.testAction({ kind: 'click', x: 1958.4, y: -57.5 });
    assert.match(hooked.status, /outside the photo/i);
    assert.strictEqual(hooked.placing, 0);
    assert.strictEqual(host.edits.length, n + 1, `a click outside the photo edited: ${JSON.stringify(host.edits.slice(n + 1))}`);
    assert.strictEqual(host.doc.specimens[2].landmarks[0], null);

    // Escape, then the Place button; a click on the photo places it there and ends placing.
    await host.page.keyboard.press('Escape');
    k = host.reports.length;
    await host.page.locator('#place').click();
    await host.waitForRender((x) => x.placing === 0, 5000, k);
    k = host.reports.length;
    await host.page.mouse.click(onPhoto.x, onPhoto.y);
    const placed = await host.waitForRender((x) => x.specimen === 2 && x.missing === 0 && host.edits.length === n + 2, 15000, k);
    const e = host.edits[n + 1];
    assert.ok(e.kind === 'move' && e.from === null && e.index === 0, JSON.stringify(e));
    assert.ok(Math.abs(placed.positions[0]!.x - 1958.4) < 3 && Math.abs(placed.positions[0]!.y - 1224) < 3, JSON.stringify([placed.positions[0], host.edits.slice(n)]));
    assert.strictEqual(placed.placing, null);
  });

  it("asks before adding a landmark beyond the file's common count, and adds it only when confirmed", async function () {
    const host = await beetleHost(this);
    await host.send({ type: 'select', specimen: 2 });
    await host.waitForRender((x) => x.specimen === 2 && x.imageLoaded && x.landmarks === 8);
    const n = host.edits.length;
    await host.page.locator('#viewport').focus();
    const pb = (await host.page.locator('#photo').boundingBox())!;
    const at = { x: pb.x + pb.width / 4, y: pb.y + pb.height / 2 };
    // Add mode: every specimen of the file has 8 landmarks, so a 9th asks first.
    await host.page.keyboard.press('a');
    let k = host.reports.length;
    await host.page.mouse.click(at.x, at.y);
    const asking = await host.waitForRender((x) => x.specimen === 2 && !!x.confirm, 5000, k);
    assert.match(asking.confirm!, /9 landmarks/);
    assert.match(asking.confirm!, /8/);
    assert.ok(await host.page.locator('#confirm').isVisible(), 'no confirmation shown');
    fs.mkdirSync(artifacts, { recursive: true });
    await host.page.screenshot({ path: path.join(artifacts, 'webview-add-confirm.png') });
    await sleep(300);
    assert.strictEqual(host.edits.length, n, 'the 9th landmark was added without asking');
    // The question does not move the photo (no click lands somewhere else than aimed).
    const pb2 = (await host.page.locator('#photo').boundingBox())!;
    assert.deepStrictEqual(pb2, pb);
    // Escape says no.
    k = host.reports.length;
    await host.page.keyboard.press('Escape');
    const declined = await host.waitForRender((x) => x.specimen === 2 && !x.confirm, 5000, k);
    assert.strictEqual(declined.landmarks, 8);
    assert.strictEqual(declined.adding, true, 'Escape on the question leaves add mode on');
    await sleep(200);
    assert.strictEqual(host.edits.length, n);
    // Asked again, Enter says yes: landmark 9 is added where clicked.
    k = host.reports.length;
    await host.page.mouse.click(at.x, at.y);
    await host.waitForRender((x) => !!x.confirm, 5000, k);
    await host.page.keyboard.press('Enter');
    const added = await host.waitForRender((x) => x.specimen === 2 && x.landmarks === 9 && host.edits.length === n + 1);
    const a = host.edits[n];
    assert.ok(a.kind === 'add' && a.index === 8, JSON.stringify(a));
    assert.ok(Math.abs(added.positions[8]!.x - 816) < 3 && Math.abs(added.positions[8]!.y - 1224) < 3, JSON.stringify(added.positions[8]));
    assert.ok(!added.confirm);
    await host.page.keyboard.press('Escape');
    assert.strictEqual(await host.page.locator('#viewport.add-mode').count(), 0);
  });

  it('shows which element the keyboard drives and what arrows and Tab do there', async function () {
    const host = await beetleHost(this);
    const focusFrame = () =>
      host.page.evaluate(() => {
        const list = getComputedStyle(document.getElementById('specimen-list')!);
        const vp = getComputedStyle(document.getElementById('viewport')!, '::after');
        return { list: list.outlineStyle !== 'none' && parseFloat(list.outlineWidth) >= 2, photo: vp.borderTopStyle !== 'none' && parseFloat(vp.borderTopWidth) >= 2 && vp.borderTopColor !== 'rgba(0, 0, 0, 0)' };
      });
    let k = host.reports.length;
    await host.page.locator('#specimen-list').focus();
    const list = await host.waitForRender((x) => /Arrows change specimen/.test(x.status), 5000, k);
    assert.match(list.status, /Specimen list/);
    assert.match((await host.page.locator('#status-keys').textContent()) ?? '', /Arrows change specimen/);
    assert.deepStrictEqual(await focusFrame(), { list: true, photo: false });

    k = host.reports.length;
    await host.page.locator('#overlay g.marker[data-landmark="3"]').focus();
    const marker = await host.waitForRender((x) => x.selectedLandmark === 3 && /Arrows nudge landmark 4/.test(x.status), 5000, k);
    assert.match(marker.status, /Tab next landmark/);
    fs.mkdirSync(artifacts, { recursive: true });
    await host.page.screenshot({ path: path.join(artifacts, 'webview-keyboard-focus.png') });
    assert.deepStrictEqual(await focusFrame(), { list: false, photo: true });
    const ring = (i: number) => host.page.evaluate((j) => getComputedStyle(document.querySelector(`#overlay g.marker[data-landmark="${j}"] circle.focus-ring`)!).display, i);
    assert.notStrictEqual(await ring(3), 'none', 'the focused marker has no focus ring');
    assert.strictEqual(await ring(2), 'none');

    // Escape: nothing selected, the photo has the keys: left/right change specimen.
    k = host.reports.length;
    await host.page.keyboard.press('Escape');
    const photo = await host.waitForRender((x) => x.selectedLandmark === null && /change specimen/.test(x.status), 5000, k);
    assert.match(photo.status, /Photo/);
    assert.match(photo.status, /Tab first landmark/);
    assert.deepStrictEqual(await focusFrame(), { list: false, photo: true });
  });

  it('posts no render report unless the host watches (as for users), and still answers test requests by id', async function () {
    const tps = requireData(this, 'drosophila-wings', 'landmarks.tps');
    const host = await open(tps, undefined, { watch: false });
    const r = await host.report();
    assert.deepStrictEqual([r.specimen, r.imageLoaded, r.drawn], [0, true, 12]);
    const moved = await host.testAction({ kind: 'move', specimen: 0, landmark: 0, x: 100, y: 200 });
    assert.deepStrictEqual(moved.positions[0], { x: 100, y: 200 });
    await sleep(300);
    assert.deepStrictEqual(host.reports, [], 'a report was posted without watch');
    assert.deepStrictEqual([...new Set(host.received)].sort(), ['edit', 'ready', 'requestImage', 'response', 'selected']);
    await host.page.close();
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

  it("keeps the 'Image not found' notice off the drawing area: a landmark near the top is not under it", async function () {
    // A tall specimen (the wing's x and y swapped) in a short panel: the fitted canvas fills the
    // viewport's height, so its top landmark sits a few pixels under the viewport's top edge.
    const tps = requireData(this, 'drosophila-wings', 'landmarks.tps');
    const original = fs.readFileSync(tps, 'utf8');
    const first = /^LM=12\r?\n((?:.*\r?\n){12})IMAGE=63001\.jpg/m.exec(original);
    assert.ok(first, 'the first wing specimen is not where expected');
    const swapped = first[1].trim().split(/\r?\n/).map((l) => l.trim().split(/\s+/).reverse().join(' ')).join('\n');
    const text = original.replace(first[0], `LM=12\n${swapped}\nIMAGE=no-such-wing.jpg`);
    const host = await open(tps, text, { size: { width: 1000, height: 520 } });
    const r = await host.waitForRender((x) => x.specimen === 0 && x.drawn === 12);
    assert.match((await host.page.locator('#notice').textContent()) ?? '', /Image not found: IMAGE=no-such-wing\.jpg/);
    const notice = (await host.page.locator('#notice').boundingBox())!;
    const viewport = (await host.page.locator('#viewport').boundingBox())!;
    const top = r.positions.reduce((best, p, i) => (p && p.y < r.positions[best]!.y ? i : best), 0);
    const marker = (await host.page.locator(`#overlay g.marker[data-landmark="${top}"] circle.halo`).boundingBox())!;
    fs.mkdirSync(artifacts, { recursive: true });
    await host.page.screenshot({ path: path.join(artifacts, 'webview-missing-image-top-landmark.png') });
    assert.ok(marker.y - viewport.y < 60, `landmark ${top + 1} is not near the top (${marker.y - viewport.y} px below it): the test checks nothing`);
    assert.ok(!intersects(marker, notice), `landmark ${top + 1} ${JSON.stringify(marker)} is under the notice ${JSON.stringify(notice)}`);
    assert.ok(notice.y + notice.height <= viewport.y + 0.5, `the notice ${JSON.stringify(notice)} overlays the drawing area ${JSON.stringify(viewport)}`);
    // The report says the same (what the integration test checks inside VS Code).
    assert.ok(r.layout.notice && r.layout.notice.y + r.layout.notice.height <= r.layout.viewport.y + 0.5, JSON.stringify(r.layout));
    assert.ok(r.layout.markers.every((m) => m && !intersects(m, r.layout.notice!)), JSON.stringify(r.layout));
    await host.page.close();
  });

  it('draws unreadable landmark rows as unreadable, not missing, and counts them apart', async function () {
    const tps = requireData(this, 'drosophila-wings', 'landmarks.tps');
    // Landmark 2 missing in the file (tpsDig's -1 -1); landmark 5 unreadable as a host that
    // reads `952 abc` rows reports it (its slot null, its index in `unreadable`).
    const text = fs.readFileSync(tps, 'utf8').replace(/^LM=12\r?\n290\. 108\.\r?\n100\. 179\./m, 'LM=12\n290. 108.\n-1 -1');
    const host = await open(tps, text, {
      views: (views) => views.map((v) => (v.index === 0 ? { ...v, landmarks: v.landmarks.map((p, i) => (i === 4 ? null : p)), unreadable: [4] } : v)),
    });
    const r = await host.waitForRender((x) => x.specimen === 0 && x.imageLoaded);
    assert.strictEqual(host.doc.specimens[0].landmarks[1], null, 'the -1 -1 row was not read as missing');
    assert.strictEqual(r.landmarks, 12);
    assert.strictEqual(r.missing, 1);
    assert.deepStrictEqual(r.unreadable, [4]);
    assert.strictEqual(r.drawn, 10);
    assert.match(r.status, /1 missing/);
    assert.match(r.status, /1 unreadable/);
    const row = async (i: number) => ((await host.page.locator(`#landmark-rows tr[data-landmark="${i}"]`).textContent()) ?? '').trim();
    assert.match(await row(4), /unreadable/);
    assert.doesNotMatch(await row(4), /missing/);
    assert.match(await row(1), /missing/);
    assert.doesNotMatch(await row(1), /unreadable/);
    assert.match((await host.page.locator('#specimen-0 .count').getAttribute('title')) ?? '', /1 missing, 1 unreadable/);
    // Selecting it says why it cannot be placed here, and P does not enter placing mode.
    let k = host.reports.length;
    await host.page.locator('#landmark-rows tr[data-landmark="4"]').click();
    const sel = await host.waitForRender((x) => x.selectedLandmark === 4, 5000, k);
    assert.match(sel.status, /Landmark 5 is unreadable/);
    k = host.reports.length;
    await host.page.keyboard.press('p');
    await sleep(300);
    assert.ok(host.reports.slice(k).every((x) => x.placing === null), 'P entered placing mode on an unreadable row');
    await host.page.close();
  });

  it('draws the CURVES= run of a curve file (ktch) over a canvas that fits the whole curve, not just its one landmark', async function () {
    const tps = requireData(this, 'tps-corpus', 'ktch_sample_curve_data.tps');
    const host = await open(tps);
    const r = await host.waitForRender((x) => x.specimen === 0);
    const curve = host.doc.specimens[0].curves[0].curves[0];
    assert.strictEqual(r.curves, 1);
    assert.strictEqual(r.curvePoints, curve.length);
    // The reported bug: a canvas fitted to the single landmark, at 1606% zoom, the curve off screen.
    assert.ok(r.zoom < 3, `zoom ${r.zoom}`);
    const vb = (await host.page.locator('#viewport').boundingBox())!;
    const dots = await host.page.locator('#overlay g.curve circle.curve-point').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((b) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 })));
    for (const d of dots) assert.ok(d.x >= vb.x && d.x <= vb.x + vb.width && d.y >= vb.y && d.y <= vb.y + vb.height, `curve point off the viewport: ${JSON.stringify(d)}`);
    fs.mkdirSync(artifacts, { recursive: true });
    await host.page.screenshot({ path: path.join(artifacts, 'webview-curve.png') });
    await host.page.close();
  });

  it('a file of 5,000 specimens: the list holds only the rows in view, and the row of the specimen shown is always there', async function () {
    const tps = requireData(this, 'drosophila-wings', 'landmarks.tps');
    const first = fs.readFileSync(tps, 'utf8').split(/(?=^LM=)/m)[0];
    const host = await open(tps, first.repeat(5000));
    await host.waitForRender((x) => x.specimen === 0);
    assert.strictEqual(await host.page.locator('#specimen-list li.windowed').count() < 100, true);
    assert.match((await host.page.locator('.sidebar-title').first().textContent()) ?? '', /5000 specimens/);
    await host.send({ type: 'select', specimen: 4321 });
    await host.waitForRender((x) => x.specimen === 4321);
    const row = host.page.locator('#specimen-4321');
    assert.strictEqual(await row.count(), 1);
    assert.match((await row.getAttribute('class')) ?? '', /current/);
    const list = (await host.page.locator('#specimen-list').boundingBox())!;
    const box = (await row.boundingBox())!;
    assert.ok(box.y >= list.y && box.y + box.height <= list.y + list.height, `row 4322 not in view: ${JSON.stringify(box)} in ${JSON.stringify(list)}`);
    // Scrolling the list to the top brings row 1 back; a click there shows specimen 1.
    await host.page.locator('#specimen-list').evaluate((el) => (el.scrollTop = 0));
    await host.page.locator('#specimen-0').waitFor({ timeout: 5000 });
    await host.page.locator('#specimen-0').click();
    await host.waitForRender((x) => x.specimen === 0);
    await host.page.close();
  });
  it('flags by tolerance: the setting and the sidebar field say "N of M specimens above 5 px", the field persists in the view state', async function () {
    const tps = requireData(this, 'drosophila-wings', 'landmarks.tps');
    // A predicted file: specimen i's landmark 3 has a doubt bound of i/2 px, the others 1.5 px.
    const blocks = fs.readFileSync(tps, 'utf8').split(/(?=^LM=)/m).filter((b) => b.trim());
    const text = blocks
      .map((b, i) => `${b.trimEnd()}\nCOMMENT=${formatPredictionComment('predicted by wings-model', { confidence: 1 - i / 100, doubtPx: Array.from({ length: 12 }, (_, j) => (j === 2 ? i / 2 : 1.5)) })}\n`)
      .join('');
    const host = await open(tps, text, { settings: { landmarkSize: 7, reviewTolerance: 5, reviewToleranceUnit: 'px' } });
    const r = await host.waitForRender((x) => x.specimen === 0 && x.imageLoaded);
    assert.deepStrictEqual(r.review && { ...r.review }, { tolerance: 5, unit: 'px', flagged: 35, compared: 46, text: '35 of 46 specimens above 5 px' });
    assert.strictEqual(await host.page.locator('#review-summary').textContent(), '35 of 46 specimens above 5 px');
    assert.strictEqual(await host.page.locator('#review-tolerance').inputValue(), '5');
    assert.strictEqual(await host.page.locator('#review-tolerance-unit').inputValue(), 'px');
    assert.strictEqual(await host.page.locator('#specimen-45 .badge.check').count(), 1);
    assert.strictEqual(await host.page.locator('#specimen-10 .badge.check').count(), 0, 'a bound of 5 px is not above 5 px');
    assert.match((await host.page.locator('#specimen-45 .badge.check').getAttribute('title')) ?? '', /landmark 3 above the tolerance of 5 px/);
    assert.deepStrictEqual(r.doubtful, [], 'specimen 1: doubt 0 px');
    let k = host.reports.length;
    await host.send({ type: 'select', specimen: 45 });
    const s45 = await host.waitForRender((x) => x.specimen === 45, 15000, k);
    assert.deepStrictEqual(s45.doubtful, [2], 'a dashed ring on landmark 3');
    assert.strictEqual(await host.page.locator('#overlay g.marker[data-landmark="2"] circle.doubt-ring').count(), 1);
    // Check first lists the flagged specimens first, the largest bound first.
    await host.page.locator('#review-order').click();
    const ordered = await host.waitForRender((x) => x.listOrder[0] === 45, 5000, k);
    assert.deepStrictEqual(ordered.listOrder.slice(0, 35), Array.from({ length: 35 }, (_, i) => 45 - i));
    fs.mkdirSync(artifacts, { recursive: true });
    await host.page.screenshot({ path: path.join(artifacts, 'webview-review-tolerance.png') });
    // The field changes it for this view: 20 px flags 5 specimens, and it is kept in the view's state.
    k = host.reports.length;
    await host.page.locator('#review-tolerance').fill('20');
    const at20 = await host.waitForRender((x) => x.review?.tolerance === 20, 5000, k);
    assert.strictEqual(at20.review!.text, '5 of 46 specimens above 20 px');
    assert.strictEqual(await host.page.locator('#specimen-list .badge.check').count(), 5);
    const state = (await host.page.evaluate('window.acquireVsCodeApi().getState()')) as { tolerance?: unknown };
    assert.deepStrictEqual(state.tolerance, { value: 20, unit: 'px' });
    // The view comes back (init again, as when VS Code restores it) with the setting off: its own 20 px wins.
    host.settings = { landmarkSize: 7, reviewTolerance: 0, reviewToleranceUnit: 'px' };
    k = host.reports.length;
    await host.receive({ type: 'ready' });
    const back = await host.waitForRender((x) => x.review !== undefined, 5000, k);
    assert.strictEqual(back.review!.text, '5 of 46 specimens above 20 px');
    // Emptied (or 0), the field turns the tolerance off in this view: the 10% rule.
    k = host.reports.length;
    await host.page.locator('#review-tolerance').fill('');
    const off = await host.waitForRender((x) => x.review === undefined, 5000, k);
    assert.ok(off);
    assert.match((await host.page.locator('#review-summary').textContent()) ?? '', /of 46 specimens flagged \(10% rule\)/);
    await host.page.close();
  });
});
