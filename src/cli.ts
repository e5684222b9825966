#!/usr/bin/env node
import { main } from './cli/main';
import { quietSdkNodeNotice } from './cli/processWarnings';

quietSdkNodeNotice(process, process.env);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`auth0-usage: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
