import { constants as osConstants } from 'node:os';
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

/**
 * In a container without an init (Kubernetes, `docker run` without --init, AWS Batch), node is its PID
 * namespace's process 1, and the kernel ignores a signal sent to that process whose action is the default one: a
 * SIGTERM or SIGINT that no handler of ours listens for (before a run sets up watchStopSignals, after it ends, in
 * `status` or `hec-check`, and the second one of a run) would do nothing, and the pod would wait out its grace
 * period for SIGKILL. As process 1 only, this stands in for the default action: a signal no other handler hears
 * ends the process at once with 128 + the signal's number (143 for SIGTERM, 130 for SIGINT), as a shell reports
 * a process killed by it. Elsewhere it installs nothing, and the process dies of the signal itself.
 */
export function exitOnStopSignalsAsInit(
  target: NodeJS.EventEmitter = process,
  pid: number = process.pid,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  if (pid !== 1) return;
  for (const name of STOP_SIGNALS) {
    const standIn = (): void => {
      // Another listener (a run's watchStopSignals) hears this signal: it decides, as it would without this one.
      if (target.listenerCount(name) > 1) return;
      exit(128 + osConstants.signals[name]);
    };
    target.on(name, standIn);
  }
}
