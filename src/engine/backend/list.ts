/**
 * Every backend, whether it starts here and why (what `cli backends` prints). Each one is
 * started in turn, as if forced, so "available" means "forcing it would work"; `auto` says
 * whether auto would consider it (a software WebGPU adapter is available but never auto's).
 */
import type { BackendChoice, WebGpuAdapterReport } from '../../shared/protocol/engine';
import { AUTO_ORDER, tryBackend, type BackendInitOptions } from './init';
import { adapterSummary, describeAdapter, webGpuDecision, type WebGpuProbe } from './webgpu';

export interface BackendAvailability {
  name: Exclude<BackendChoice, 'auto'>;
  available: boolean;
  /** Whether `auto` would pick it when every backend before it is unavailable. */
  auto: boolean;
  /** The WebGPU adapter in words (webgpu only; "" when none was found). */
  adapter?: string;
  adapterInfo?: WebGpuAdapterReport;
  reason: string;
}

export interface BackendListing {
  backends: BackendAvailability[];
  /** The backend auto would run (the choice name), or null when none starts. */
  autoPick: Exclude<BackendChoice, 'auto'> | null;
}

export async function listBackends(options: BackendInitOptions = {}): Promise<BackendListing> {
  const backends: BackendAvailability[] = [];
  for (const name of AUTO_ORDER) {
    const attempt = await tryBackend(name, false, options);
    const entry: BackendAvailability = {
      name,
      available: attempt.ok,
      auto: attempt.ok,
      reason: attempt.ok ? attempt.reason : attempt.why,
    };
    if (name === 'webgpu') {
      entry.adapter = attempt.adapter ? describeAdapter(attempt.adapter) : '';
      if (attempt.adapter) {
        entry.adapterInfo = attempt.adapter;
        const probe: WebGpuProbe = { ok: true, adapter: attempt.adapter };
        const asAuto = webGpuDecision(probe, true);
        // Forced, a software adapter starts; auto would still pass it by.
        if (!asAuto.use) {
          entry.auto = false;
          if (attempt.ok) {
            entry.reason =
              `${adapterSummary(attempt.adapter)}: a software adapter, auto skips it (it trains ~12x slower than wasm); ` +
              `force it with backend "webgpu" for checks`;
          }
        }
      }
    }
    backends.push(entry);
  }
  const pick = backends.find((b) => b.available && b.auto);
  return { backends, autoPick: pick ? pick.name : null };
}
