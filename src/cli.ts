#!/usr/bin/env node
// First, before the modules below load (a few hundred ms): as a container's process 1 (no init), SIGTERM and SIGINT
// would otherwise be dropped whenever no run listens, from the moment node starts.
import './cli/stopSignalsAsInit';
import { main } from './cli/main';
import { routeProcessWarnings } from './cli/processWarnings';
import { defectText } from './cli/endLines';
import { failIfUnsettled } from './cli/unsettledExit';

const warnings = routeProcessWarnings(process, process.env);

const command = main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  // The one write to process.env: libuv sizes its pool from it on first use, which comes after the command line
  // is parsed (runCommand calls this before any file read or gunzip).
  sizeThreadPool: (size) => {
    process.env.UV_THREADPOOL_SIZE = String(size);
  },
  logsJson: (json) => warnings.printAsJson(json),
});
failIfUnsettled(process, command);
command.then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`auth0-usage: unexpected error: ${defectText(err)}\n`);
    process.exitCode = 1;
  },
);
