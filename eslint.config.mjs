// The house's rooms, enforced (../shared/notes/architecture.md): each imports only downwards.
//   shared/    the pure core and the protocols: no vscode, tfjs, sharp, and no room above it;
//              Node's fs and child processes only in shared/dataset and shared/node (its fs helpers)
//   engine/    tfjs, sharp; never vscode, the extension or a webview
//   extension/ vscode; forks the engine and speaks the protocol, never imports it
//   webview/   the DOM; talks by messages only: no vscode, Node, the extension or the engine
//   cli        a shell over engine and shared: no vscode, extension or webview
// Only import boundaries are linted: formatting and style are left to review.
import tseslint from 'typescript-eslint';

const rule = (patterns, paths = []) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }],
});
// A room is a folder: `../../engine/x` or `../engine` is the engine, `../protocol/engine` is not.
const room = (name, message) => ({ group: [`**/${name}/**`, `../${name}`, `../../${name}`, `../../../${name}`], message });
const NODE = ['fs', 'fs/promises', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'util', 'http', 'https', 'net'].flatMap((m) => [m, `node:${m}`]);

const ABOVE_SHARED = 'shared/ is the pure core: it imports no room above it';
const SHARED_PATTERNS = [
  ...['engine', 'extension', 'webview', 'cli'].map((r) => room(r, ABOVE_SHARED)),
  { group: ['@tensorflow/*', 'sharp'], message: 'shared/ is the pure core: tfjs and sharp belong to the engine' },
];
const NO_VSCODE_IN_SHARED = { name: 'vscode', message: 'shared/ is the pure core: the vscode API belongs to the extension' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', '.cache/**', '.test-artifacts/**'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaVersion: 2022, sourceType: 'module' } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    // Disable comments for rules of other set-ups (no-require-imports) are not this file's concern.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: rule(SHARED_PATTERNS, [NO_VSCODE_IN_SHARED]),
  },
  {
    // The pure core proper: file access lives in shared/dataset and shared/node (its fs helpers:
    // dataset loading, atomic writes, which every room uses) or a room above.
    files: ['src/shared/**/*.ts'],
    ignores: ['src/shared/dataset/**', 'src/shared/node/**'],
    rules: rule(SHARED_PATTERNS, [
      NO_VSCODE_IN_SHARED,
      ...['fs', 'fs/promises', 'child_process', 'node:fs', 'node:fs/promises', 'node:child_process'].map((name) => ({ name, message: 'shared/ is pure: file access lives in shared/dataset or shared/node (its fs helpers) or a room above' })),
    ]),
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: rule(
      [room('extension', 'the engine runs in a child process: it never imports the extension'), room('webview', 'the engine never imports a webview'), room('cli', 'the engine never imports the CLI')],
      [{ name: 'vscode', message: 'the engine runs outside VS Code (a child process, a cluster job): no vscode API' }],
    ),
  },
  {
    files: ['src/extension/**/*.ts'],
    rules: rule([
      room('engine', 'the extension forks the engine and speaks src/shared/protocol/engine.ts: it never imports engine modules'),
      room('webview', 'the extension talks to webviews by messages only'),
      room('cli', 'the extension never imports the CLI'),
      { group: ['@tensorflow/*'], message: 'tfjs runs in the engine child, never in the extension host' },
      { group: ['sharp', 'webgpu'], message: 'no native module in the extension host (a crash there takes the host down): photo sizes come from src/shared/imaging/photo-header.ts, conversions from dist/image-convert.js' },
    ]),
  },
  {
    files: ['src/webview/**/*.ts'],
    rules: rule(
      [
        room('extension', 'a webview talks to the extension by messages only (src/shared/protocol)'),
        room('engine', 'a webview never imports the engine'),
        room('cli', 'a webview never imports the CLI'),
      ],
      [{ name: 'vscode', message: 'a webview has no vscode API: use acquireVsCodeApi and messages' }, ...NODE.map((name) => ({ name, message: 'a webview runs in a browser: no Node modules' }))],
    ),
  },
  {
    files: ['src/cli.ts', 'src/cli/**/*.ts'],
    rules: rule(
      [room('extension', 'the CLI is a shell over engine and shared'), room('webview', 'the CLI is a shell over engine and shared')],
      [{ name: 'vscode', message: 'the CLI runs without VS Code' }],
    ),
  },
);
