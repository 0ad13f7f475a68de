/**
 * The one engine per extension host: creates the EngineClient with the backend setting, logs to
 * the "Landmarks Engine" output channel, shows a status bar item while jobs run (click: show the
 * log and offer to cancel), and restarts the engine when the backend setting changes.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { BackendChoice } from '../../shared/protocol/engine';
import { EngineClient, type RunningJobInfo } from '../engine-client';
import { busyDoing, busyText, cancelRunningLabel, whenEngineFree, type BusyChoice } from './engine-busy';
import { formatDuration, formatLoss } from '../../shared/format';

const BACKENDS: readonly BackendChoice[] = ['auto', 'webgpu', 'native-gpu', 'native-cpu', 'wasm', 'cpu'];

export function backendSetting(): BackendChoice {
  const v = vscode.workspace.getConfiguration('landmarks').get<string>('engine.backend', 'auto');
  return (BACKENDS as readonly string[]).includes(v) ? (v as BackendChoice) : 'auto';
}

export class EngineHost implements vscode.Disposable {
  readonly output: vscode.OutputChannel;
  private readonly status: vscode.StatusBarItem;
  private clientInstance: EngineClient | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Landmarks Engine');
    this.status = vscode.window.createStatusBarItem('landmarks.engine', vscode.StatusBarAlignment.Left, 50);
    this.status.name = 'Landmarks engine';
    this.status.command = 'landmarks.cancel';
    this.disposables.push(
      this.output,
      this.status,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('landmarks.engine.backend') && this.clientInstance && this.clientInstance.jobs.length === 0) {
          this.log(`backend setting changed to ${backendSetting()}: the engine restarts on the next job`);
          void this.clientInstance.shutdown();
          this.clientInstance = undefined;
        }
      }),
    );
  }

  get enginePath(): string {
    return path.join(this.context.extensionPath, 'dist', 'engine.js');
  }

  /** The engine client, created on first use (the child is forked on the first job). */
  get client(): EngineClient {
    if (!this.clientInstance) {
      this.clientInstance = new EngineClient({
        enginePath: this.enginePath,
        backend: backendSetting(),
        cwd: this.context.extensionPath,
        onLog: (level, message) => this.output.appendLine(`[${new Date().toLocaleTimeString()}] ${level === 'info' ? '' : level.toUpperCase() + ' '}${message}`),
        onBusyChange: (jobs) => this.updateStatus(jobs),
      });
    }
    return this.clientInstance;
  }

  log(message: string): void {
    this.output.appendLine(`[${new Date().toLocaleTimeString()}] ${message}`);
  }

  private updateStatus(jobs: RunningJobInfo[]): void {
    if (jobs.length === 0) {
      this.status.hide();
      return;
    }
    const j = jobs[0];
    const p = j.progress;
    let text = `$(sync~spin) Landmarks: ${j.kind}`;
    if (p?.kind === 'train') text += ` epoch ${p.epoch}/${p.epochs}${p.trainLoss !== undefined ? ` loss ${formatLoss(p.trainLoss)}` : ''}`;
    else if (p?.kind === 'step') text += ` ${p.stage} ${p.done}/${p.total}`;
    if (jobs.length > 1) text += ` (+${jobs.length - 1})`;
    this.status.text = text;
    const eta = p?.etaSeconds !== undefined ? `, about ${formatDuration(p.etaSeconds)} left` : '';
    this.status.tooltip = `The landmark engine is working (${jobs.map((x) => x.kind).join(', ')}${eta}). Click to show the log or cancel.`;
    this.status.show();
  }

  /**
   * When the engine runs another job, asks whether to queue `what` ("prediction") until it ends,
   * or to cancel the running job first. Resolves true when the engine is free, false when the
   * person chose not to wait. At once true when the engine is idle.
   */
  whenFree(what: string): Promise<boolean> {
    const client = this.client;
    return whenEngineFree(client, what, {
      ask: async (busy, question) => {
        const cancelLabel = cancelRunningLabel(busy.kind);
        // Queue: runs when the running job ends. Cancel <it>: stops it (a training keeps its best
        // model so far), then runs. Dismissed: nothing runs.
        const pick = await vscode.window.showInformationMessage(question, 'Queue', cancelLabel);
        const choice: BusyChoice = pick === 'Queue' ? 'queue' : pick === cancelLabel ? 'cancelRunning' : 'dismiss';
        this.log(`${what}: the engine is busy (${busy.kind} ${busy.id}); chosen: ${choice}`);
        return choice;
      },
      wait: (busy, idle, cancelled) =>
        Promise.resolve(
          vscode.window.withProgress(
            {
              location: vscode.ProgressLocation.Notification,
              title: cancelled ? `Stopping the ${busyDoing(busy.kind)}, then the ${what} starts` : `Queued: the ${what} starts when the ${busyDoing(busy.kind)} ends`,
              cancellable: true,
            },
            (progress, token) =>
              new Promise<boolean>((resolve) => {
                const tick = () => {
                  const now = client.busy;
                  if (now) progress.report({ message: busyText(now) });
                };
                tick();
                const timer = setInterval(tick, 2000);
                const done = (v: boolean) => {
                  clearInterval(timer);
                  resolve(v);
                };
                void idle.then(() => done(true));
                token.onCancellationRequested(() => done(false));
              }),
          ),
        ),
    });
  }

  /** landmarks.cancel: cancels the running job(s) after asking, or shows the log when idle. */
  async cancelInteractive(): Promise<void> {
    const jobs = this.clientInstance?.jobs ?? [];
    if (jobs.length === 0) {
      this.output.show(true);
      void vscode.window.showInformationMessage('The landmark engine is idle: nothing to cancel.');
      return;
    }
    const pick = await vscode.window.showWarningMessage(
      `Cancel ${jobs.map((j) => j.kind).join(' and ')}? A cancelled training keeps its best checkpoint.`,
      'Cancel job',
      'Show log',
    );
    if (pick === 'Cancel job') this.clientInstance?.cancelAll();
    else if (pick === 'Show log') this.output.show(true);
  }

  dispose(): void {
    void this.clientInstance?.shutdown(1500);
    for (const d of this.disposables) d.dispose();
  }
}
