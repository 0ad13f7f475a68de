// Builds one bundle per entry point. Node bundles keep npm packages external
// (native sharp / tfjs-node must be loaded from node_modules); webview bundles
// are self-contained browser scripts.
// Usage: node esbuild.js [--watch] [entry-name ...]   (no names: all entries)
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const node = { platform: 'node', format: 'cjs', target: 'node20', packages: 'external' };
const browser = { platform: 'browser', format: 'iife', target: 'es2022' };

/** name -> [source, output, options] */
const entries = {
  extension: ['src/extension/extension.ts', 'dist/extension.js', { ...node, external: ['vscode'] }],
  engine: ['src/engine/child.ts', 'dist/engine.js', node],
  cli: ['src/cli.ts', 'dist/cli.js', node],
  // Forked by the extension host to convert TIFF/BMP photos (sharp never loads in the host).
  'image-convert': ['src/engine/image-convert.ts', 'dist/image-convert.js', node],
  'webview-editor': ['src/webview/editor/main.ts', 'dist/webview/editor.js', browser],
  'webview-training': ['src/webview/training/main.ts', 'dist/webview/training.js', browser],
  'webview-results': ['src/webview/results/main.ts', 'dist/webview/results.js', browser],
  'webview-shape': ['src/webview/shape/main.ts', 'dist/webview/shape.js', browser],
  'integration-tests': ['test/integration/index.ts', 'dist/test/integration/index.js', { ...node, external: ['vscode'] }],
};

async function main() {
  const args = process.argv.slice(2);
  const watch = args.includes('--watch');
  const production = args.includes('--production');
  const names = args.filter((a) => !a.startsWith('--'));
  const selected = names.length ? names : Object.keys(entries);
  for (const name of selected) {
    const entry = entries[name];
    if (!entry) throw new Error(`esbuild.js: unknown entry "${name}" (known: ${Object.keys(entries).join(', ')})`);
    const [src, out, opts] = entry;
    if (!fs.existsSync(src)) {
      console.warn(`esbuild.js: skipping ${name}: ${src} does not exist yet`);
      continue;
    }
    const ctx = await esbuild.context({
      entryPoints: [src],
      outfile: out,
      bundle: true,
      sourcemap: production ? false : 'linked',
      minify: production,
      logLevel: 'warning',
      ...opts,
    });
    if (watch) await ctx.watch();
    else {
      await ctx.rebuild();
      await ctx.dispose();
    }
  }
  if (!watch) console.log(`esbuild.js: built ${selected.join(', ')} into ${path.resolve('dist')}`);
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
