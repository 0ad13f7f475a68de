/**
 * The integration suite's entry: a plain mocha run() that VS Code calls in the extension host
 * (extensionTestsPath = dist/test/integration/index.js, built by `node esbuild.js
 * integration-tests`). The same bundle runs inside code-server (scripts/vscode-test/run.ts) and
 * under @vscode/test-electron (scripts/vscode-test/electron.ts).
 *
 * To add a suite: create test/integration/<name>.test.ts and add <name> to SUITES below
 * (scripts/vscode-test/run.ts fails when a *.test.ts file is not listed).
 */
import * as fs from 'fs';
import Mocha from 'mocha';
import { ENV, type SuiteResult } from './helpers/env';
import { writeFileAtomicSync } from '../../src/shared/node/atomic-write';
import { screenshot, screenshotsAvailable } from './helpers/screenshot';

/** Loaded in this order. */
export const SUITES: readonly string[] = ['smoke', 'editor', 'editor-input', 'language', 'workbench', 'rounds', 'broken-file', 'shape', 'curves', 'hostile', 'interop'];

/** One report line: to the console (VS Code's log) and to $LANDMARKS_TEST_LOG for the driver. */
function out(line: string): void {
  console.log(line);
  const log = process.env[ENV.log];
  if (log) fs.appendFileSync(log, line + '\n');
}

function indent(level: number): string {
  return '  '.repeat(level);
}

/** A spec-like reporter that writes through out() and counts for the final line. */
class LineReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    let level = 0;
    const failures: SuiteResult['failures'] = [];
    let passed = 0;
    let pending = 0;
    const started = Date.now();
    runner.on('suite', (suite) => {
      if (suite.root) return;
      out(`${indent(level + 1)}${suite.title}`);
      level++;
    });
    runner.on('suite end', (suite) => {
      if (!suite.root) level--;
    });
    runner.on('pass', (test) => {
      passed++;
      out(`${indent(level + 1)}ok ${test.title} (${test.duration ?? 0} ms)`);
    });
    runner.on('pending', (test) => {
      pending++;
      out(`${indent(level + 1)}- ${test.title} (skipped)`);
    });
    runner.on('fail', (test, err: Error) => {
      const error = err?.stack ?? String(err);
      failures.push({ title: test.fullTitle(), error });
      out(`${indent(level + 1)}FAIL ${test.title}`);
      for (const l of error.split('\n').slice(0, 12)) out(`${indent(level + 3)}${l}`);
    });
    runner.once('end', () => {
      const result: SuiteResult = { passed, failed: failures.length, pending, failures, durationMs: Date.now() - started };
      out('');
      failures.forEach((f, i) => out(`  ${i + 1}) ${f.title}\n     ${f.error.split('\n')[0]}`));
      out(`${passed} passed, ${failures.length} failed${pending ? `, ${pending} skipped` : ''}`);
      const file = process.env[ENV.results];
      if (file) {
        writeFileAtomicSync(file, JSON.stringify(result, null, 2));
      }
    });
  }
}

/** Loads one suite; esbuild bundles every ./*.test.ts that this pattern can name. */
function load(name: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(`./${name}.test.ts`);
}

export function run(): Promise<void> {
  const grep = process.env[ENV.grep];
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: LineReporter, ...(grep ? { grep } : {}) });
  // Give the suites describe/it/before... as globals, as `mocha` does before requiring a file.
  mocha.suite.emit('pre-require', globalThis, 'integration', mocha);
  // A failed test leaves a picture of the workbench as it was: .test-artifacts/failed-<test>.png.
  mocha.suite.afterEach(async function () {
    const test = this.currentTest;
    if (test?.state !== 'failed' || !screenshotsAvailable()) return;
    try {
      const png = await screenshot(`failed-${test.fullTitle()}`.slice(0, 120), 15_000);
      out(`      (screenshot: ${png})`);
    } catch (e) {
      out(`      (no screenshot: ${e instanceof Error ? e.message : String(e)})`);
    }
  });
  for (const name of SUITES) {
    try {
      load(name);
    } catch (e) {
      // A suite that does not load is a failure, not a silent omission.
      const message = e instanceof Error ? e.message : String(e);
      mocha.suite.addTest(
        new Mocha.Test(`suite "${name}" loads`, () => {
          throw new Error(`test/integration/${name}.test.ts could not be loaded: ${message}`);
        }),
      );
    }
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}
