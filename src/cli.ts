#!/usr/bin/env -S node --max-semi-space-size=4
// The main thread's young generation at 4 MB a semi-space instead of V8's 16: it grows to its limit only on a long
// read, where at 16 it held tens of MB more at the peak (docs/performance.md, "Peak RSS from 1× to 4×"); the
// main thread has CPU to spare for the extra young collections. A flag of the process, so it goes here.
import { main } from './cli/main';
import { quietSdkNodeNotice } from './cli/processWarnings';

quietSdkNodeNotice(process, process.env);

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  // The one write to process.env: libuv sizes its pool from it on first use, which comes after the command line
  // is parsed (runCommand calls this before any file read or gunzip).
  sizeThreadPool: (size) => {
    process.env.UV_THREADPOOL_SIZE = String(size);
  },
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`auth0-usage: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
