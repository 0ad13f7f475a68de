// Builds one bundle per entry point. Node bundles inline their npm packages except the native
// ones, which load from node_modules at run time (sharp with its libvips, Dawn's dawn.node in
// `webgpu`, the optional tfjs-node builds). TensorFlow.js is bundled once, into dist/tfjs.js
// and dist/tfjs-wasm.js, which dist/engine.js and dist/cli.js share (each `@tensorflow/*`
// import of theirs becomes `require('./tfjs.js').load(name)`): one tfjs-core for all backends,
// and none of tfjs's node_modules in the .vsix. The wasm backend's binaries are copied to
// dist/wasm/ (src/engine/backend/init.ts looks there). Webview bundles are self-contained
// browser scripts. --production (npm run package) minifies and writes no source maps.
// Usage: node esbuild.js [--watch] [--production] [entry-name ...]   (no names: all entries)
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

/** Native packages: never bundled. */
const NATIVE = ['sharp', 'webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];
/** tfjs-core's chained ops (`t.reshape()`): @tensorflow/tfjs registers them, tfjs-core's Node build does not. */
const CHAINED_OPS = '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';

/** What the chained ops import from tfjs-core's own files, taken from its Node build `core`. */
const CHAINED_OPS_CORE = '{ ...core.image, ...core, assert: core.util.assert, getGlobalTensorClass: () => core.Tensor }';

/** Fails the build when a chained op imports a name CHAINED_OPS_CORE does not give. */
function checkChainedOps() {
  const dir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-core/package.json')), 'dist', 'public', 'chained_ops');
  // eslint-disable-next-line no-new-func
  const given = new Function('core', `return ${CHAINED_OPS_CORE};`)(require(path.join(__dirname, 'dist', 'tfjs.js')).load('@tensorflow/tfjs-core'));
  const missing = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.js') && !n.endsWith('_test.js'))) {
    for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/^import \{([^}]*)\} from '\.\.\/\.\.\//gm)) {
      for (const name of m[1].split(',').map((x) => x.trim().split(/\s+as\s+/)[0]).filter(Boolean)) {
        if (given[name] === undefined) missing.push(`${f}: ${name}`);
      }
    }
  }
  if (missing.length) throw new Error(`esbuild.js: chained ops import what CHAINED_OPS_CORE lacks: ${missing.join(', ')}`);
}

/**
 * The tfjs packages the engine runs, by the shared bundle that holds them. The wasm backend has
 * its own, minified without renaming: src/engine/backend/wasm-threads.ts hands the threaded
 * build's factory, as source text, to worker threads, and that text names its module's
 * variables. tfjs.js is minified fully (as tfjs's own tf.min.js is).
 */
const VENDOR = {
  'tfjs.js': {
    packages: ['@tensorflow/tfjs-core', CHAINED_OPS, '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-webgpu'],
    minify: { minify: true, keepNames: false },
  },
  'tfjs-wasm.js': { packages: ['@tensorflow/tfjs-backend-wasm'], minify: { minify: false, minifyWhitespace: true, minifySyntax: true, keepNames: false } },
};
/** Node >= 20 (and every Electron VS Code ships) has wasm SIMD: the plain build is never loaded. */
const WASM_FILES = ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

const node = { platform: 'node', format: 'cjs', target: 'node20', external: NATIVE };
const browser = { platform: 'browser', format: 'iife', target: 'es2022' };

const vendorOf = (pkg) => Object.keys(VENDOR).find((file) => VENDOR[file].packages.includes(pkg));

/**
 * Maps `@tensorflow/*` imports to the shared bundle holding that package (`own`: the packages
 * of the bundle being built, which are inlined). Evaluated lazily, on first use.
 */
const sharedTfjs = (own = []) => ({
  name: 'shared-tfjs',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\// }, (args) => {
      // Native packages, and files looked up by path at run time (require.resolve).
      if (NATIVE.includes(args.path) || args.kind === 'require-resolve') return { path: args.path, external: true };
      if (own.includes(args.path)) return undefined;
      const file = vendorOf(args.path);
      if (!file) return { errors: [{ text: `${args.path} is in no shared tfjs bundle: add it to VENDOR in esbuild.js` }] };
      return { path: args.path, namespace: 'shared-tfjs', pluginData: file };
    });
    build.onLoad({ filter: /.*/, namespace: 'shared-tfjs' }, (args) => ({
      contents: `module.exports = require('./${args.pluginData}').load(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
    build.onResolve({ filter: /^\.\/tfjs[-a-z]*\.js$/, namespace: 'shared-tfjs' }, (args) => ({ path: args.path, external: true }));
    // The chained ops are ES modules of tfjs-core's own tree: their imports of tfjs-core are
    // pointed at its Node build (the one copy), which exports every op but not this accessor.
    build.onResolve({ filter: /^\.\.\/\.\.\// }, (args) => {
      if (!/[\\/]tfjs-core[\\/]dist[\\/]public[\\/]chained_ops[\\/]/.test(args.importer)) return undefined;
      return { path: 'tfjs-core', namespace: 'tfjs-core-cjs' };
    });
    build.onLoad({ filter: /.*/, namespace: 'tfjs-core-cjs' }, () => ({
      contents: `const core = require('@tensorflow/tfjs-core');\nmodule.exports = ${CHAINED_OPS_CORE};\n`,
      loader: 'js',
      resolveDir: __dirname,
    }));
    // tfjs-core's fallback for a Node without fetch (Node >= 18 has one): not shipped.
    build.onResolve({ filter: /^node-fetch$/ }, () => ({ path: 'node-fetch', namespace: 'global-fetch' }));
    build.onLoad({ filter: /.*/, namespace: 'global-fetch' }, () => ({ contents: 'module.exports = (...args) => globalThis.fetch(...args);', loader: 'js' }));
  },
});

/** A shared tfjs bundle: its packages (their Node builds, CommonJS), each evaluated on first load. */
function vendorEntry(file) {
  const { packages } = VENDOR[file];
  const contents = [
    `// Generated by esbuild.js: TensorFlow.js packages of dist/engine.js and dist/cli.js.`,
    'const modules = {',
    ...packages.map((p) => `  ${JSON.stringify(p)}: () => require(${JSON.stringify(p)}),`),
    '};',
    'exports.load = (name) => {',
    `  if (!modules[name]) throw new Error(\`dist/${file} holds no \${name}\`);`,
    '  return modules[name]();',
    '};',
    '',
  ].join('\n');
  return { contents, resolveDir: __dirname, sourcefile: file, loader: 'js' };
}

/** An entry whose source is written here. */
function generated(file, contents) {
  return { contents: `// Generated by esbuild.js.\n${contents}`, resolveDir: __dirname, sourcefile: file, loader: 'js' };
}

const CLI_ENTRY = [
  '// dist/cli.js: `node dist/cli.js <command>` (src/cli/main.ts); dist/engine.js calls runEngineChild.',
  "exports.runEngineChild = () => require('./src/engine/child').runEngineChild();",
  "if (require.main === module) require('./src/cli/main').runCli(process.argv.slice(2));",
  '',
].join('\n');

/** name -> [source, output, options, entries built first, then run after] */
const entries = {
  tfjs: [vendorEntry('tfjs.js'), 'dist/tfjs.js', { ...node, ...VENDOR['tfjs.js'].minify, sourcemap: false, plugins: [sharedTfjs(VENDOR['tfjs.js'].packages)] }, [], checkChainedOps],
  'tfjs-wasm': [vendorEntry('tfjs-wasm.js'), 'dist/tfjs-wasm.js', { ...node, ...VENDOR['tfjs-wasm.js'].minify, sourcemap: false, plugins: [sharedTfjs(VENDOR['tfjs-wasm.js'].packages)] }, ['tfjs'], copyWasm],
  extension: ['src/extension/extension.ts', 'dist/extension.js', { ...node, external: ['vscode'] }],
  // One copy of the engine: dist/cli.js holds the CLI and the engine child, which dist/engine.js starts.
  cli: [generated('cli.js', CLI_ENTRY), 'dist/cli.js', { ...node, plugins: [sharedTfjs()] }, ['tfjs', 'tfjs-wasm']],
  engine: [generated('engine.js', "require('./cli.js').runEngineChild();\n"), 'dist/engine.js', { ...node, external: ['./cli.js'], sourcemap: false }, ['cli']],
  // Forked by the extension host to convert TIFF/BMP photos (sharp never loads in the host).
  'image-convert': ['src/engine/image-convert.ts', 'dist/image-convert.js', node],
  'webview-editor': ['src/webview/editor/main.ts', 'dist/webview/editor.js', browser],
  'webview-training': ['src/webview/training/main.ts', 'dist/webview/training.js', browser],
  'webview-results': ['src/webview/results/main.ts', 'dist/webview/results.js', browser],
  'webview-shape': ['src/webview/shape/main.ts', 'dist/webview/shape.js', browser],
  // Runs from the checkout (never packed): its packages load from node_modules.
  'integration-tests': ['test/integration/index.ts', 'dist/test/integration/index.js', { ...node, packages: 'external', external: ['vscode'] }],
};

/** The wasm backend loads its binaries by path at run time: they go beside the bundles. */
function copyWasm() {
  const from = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const to = path.join(__dirname, 'dist', 'wasm');
  fs.rmSync(to, { recursive: true, force: true });
  fs.mkdirSync(to, { recursive: true });
  for (const f of WASM_FILES) fs.copyFileSync(path.join(from, f), path.join(to, f));
}

/** Entry name -> the npm packages (folders under node_modules) its bundle holds. */
const bundled = new Map();
const NOTICES = path.join(__dirname, 'dist', 'THIRD-PARTY-NOTICES.txt');
const NOTICES_STATE = path.join(__dirname, '.cache', 'bundled-packages.json');

function bundledPackages(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = input.replace(/\\/g, '/').match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
    if (m) dirs.add(m[1]);
  }
  return [...dirs].sort();
}

/** The first licence comment of a package's main file (tfjs ships its licence that way). */
function licenceComment(dir, pkg) {
  const main = path.join(dir, pkg.main ?? 'index.js');
  if (!fs.existsSync(main)) return undefined;
  const m = fs.readFileSync(main, 'utf8').match(/\/\*[*!]?([^]*?(?:@license|Copyright)[^]*?)\*\//);
  return m ? m[1].split('\n').map((l) => l.replace(/^\s*\* ?/, '').trimEnd()).join('\n').trim() : undefined;
}

/**
 * dist/THIRD-PARTY-NOTICES.txt: each package bundled into dist/ with its licence text (the
 * .vsix carries no node_modules copy of them). Entries built earlier keep their packages
 * (.cache/bundled-packages.json), so building one entry does not drop the others'.
 */
function writeNotices() {
  let state = {};
  try {
    state = JSON.parse(fs.readFileSync(NOTICES_STATE, 'utf8'));
  } catch {
    // first build
  }
  for (const [name, dirs] of bundled) state[name] = dirs;
  fs.mkdirSync(path.dirname(NOTICES_STATE), { recursive: true });
  fs.writeFileSync(NOTICES_STATE, JSON.stringify(state, null, 1));
  const dirs = [...new Set(Object.values(state).flat())].filter((d) => fs.existsSync(path.join(d, 'package.json')));
  const byText = new Map();
  for (const dir of dirs) {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
    const text = file ? fs.readFileSync(path.join(dir, file), 'utf8').trim() : (licenceComment(dir, pkg) ?? `(no licence file; package.json says ${pkg.license ?? 'nothing'})`);
    if (!byText.has(text)) byText.set(text, []);
    byText.get(text).push(`${pkg.name}@${pkg.version} (${pkg.license ?? 'unknown licence'})`);
  }
  const parts = ['Third-party software bundled into the files of this folder, with its licences.', ''];
  for (const [text, names] of byText) parts.push('='.repeat(78), ...names.sort(), '-'.repeat(78), text, '');
  fs.writeFileSync(NOTICES, parts.join('\n'));
}

async function main() {
  const args = process.argv.slice(2);
  const watch = args.includes('--watch');
  const production = args.includes('--production');
  const names = args.filter((a) => !a.startsWith('--'));
  const wanted = names.length ? names : Object.keys(entries);
  const selected = [];
  const add = (name) => {
    const entry = entries[name];
    if (!entry) throw new Error(`esbuild.js: unknown entry "${name}" (known: ${Object.keys(entries).join(', ')})`);
    for (const dep of entry[3] ?? []) add(dep);
    if (!selected.includes(name)) selected.push(name);
  };
  wanted.forEach(add);
  for (const name of selected) {
    const [src, out, opts, , after] = entries[name];
    if (typeof src === 'string' && !fs.existsSync(src)) {
      console.warn(`esbuild.js: skipping ${name}: ${src} does not exist yet`);
      continue;
    }
    const ctx = await esbuild.context({
      ...(typeof src === 'string' ? { entryPoints: [src] } : { stdin: src }),
      outfile: out,
      bundle: true,
      sourcemap: production ? false : 'linked',
      minify: production,
      // Licences of bundled packages go to dist/THIRD-PARTY-NOTICES.txt, once each.
      legalComments: 'none',
      metafile: true,
      logLevel: 'warning',
      ...opts,
    });
    if (watch) await ctx.watch();
    else {
      const result = await ctx.rebuild();
      await ctx.dispose();
      if (name !== 'integration-tests') bundled.set(name, bundledPackages(result.metafile));
    }
    if (after) after();
  }
  if (!watch) {
    writeNotices();
    console.log(`esbuild.js: built ${selected.join(', ')} into ${path.resolve('dist')}`);
  }
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
