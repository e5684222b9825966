import { Auth0UsageError } from '../support/errors';

/**
 * SIGTERM (Kubernetes at activeDeadlineSeconds or on eviction) and SIGINT (Ctrl-C) while a run is going. The
 * first asks the run to finish up: the returned AbortSignal fires with a StopRequested reason. Our handlers are
 * removed at that moment, so a second signal meets Node's default action and ends the process at once (exit
 * status 128 + the signal's number: 143 for SIGTERM, 130 for SIGINT).
 */

export const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
export type StopSignalName = (typeof STOP_SIGNALS)[number];

/** The AbortSignal's reason once a stop signal arrived; its message reads "stopped by SIGTERM". */
export class StopRequested extends Auth0UsageError {
  static override readonly code: string = 'ERR_STOP_REQUESTED';
  constructor(readonly signal: StopSignalName) {
    super(`stopped by ${signal}`);
  }
}

export interface StopSignals {
  readonly signal: AbortSignal;
  /** Removes the handlers (if no signal came); call when the run is over, whatever its outcome. */
  dispose(): void;
}

/** Listens for the stop signals on `target` until dispose(); `onStop` hears of the first one. */
export function watchStopSignals(onStop: (name: StopSignalName) => void, target: NodeJS.EventEmitter = process): StopSignals {
  const controller = new AbortController();
  const dispose = () => {
    for (const name of STOP_SIGNALS) target.removeListener(name, handle);
  };
  function handle(name: StopSignalName): void {
    dispose();
    onStop(name);
    controller.abort(new StopRequested(name));
  }
  for (const name of STOP_SIGNALS) target.on(name, handle);
  return { signal: controller.signal, dispose };
}
