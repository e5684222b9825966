import { exitOnStopSignalsAsInit } from './stopSignals';

// Imported first by cli.ts, for this side effect alone: as a container's process 1 (no init), the kernel drops a
// SIGTERM or SIGINT that no handler takes, also one that arrives while node is still loading the rest of the CLI
// (a few hundred ms): the stand-in for the default action is in place before anything else is loaded.
exitOnStopSignalsAsInit();
