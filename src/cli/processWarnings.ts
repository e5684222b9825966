import { createLogger, type Logger } from '../support/logger';

/** The AWS SDK's notice that its releases after January 2027 need Node 22, emitted once as a process warning. */
const SDK_NODE_NOTICE = /^NodeVersionSupportWarning\b/;

/** The process's warnings, as the CLI prints them. */
export interface ProcessWarnings {
  /** Whether the command's log is JSON lines: a warning is then one JSON line like the others, not Node's text. */
  printAsJson(json: boolean): void;
}

/**
 * Node prints a process warning (`NODE_TLS_REJECT_UNAUTHORIZED=0`, a deprecation, the AWS SDK's eight-line notice
 * on Node 20) as plain text on stderr, which breaks a log of JSON lines. The CLI takes over the printing: with a
 * JSON log each warning is a JSON line at level warn (`warning`: its name, `code` when it has one); otherwise Node's
 * own printer shows it; with Node's --no-warnings (NODE_NO_WARNINGS=1), neither. The SDK's notice is dropped,
 * unless AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED (the SDK's own switch) is `false`: the SDK itself is
 * quiet only for `true`, but a `1` or `yes` meant "quiet" too. Warnings raised before the command line is parsed
 * (none that the job raises) still go to Node's printer.
 */
export function routeProcessWarnings(proc: NodeJS.Process, env: NodeJS.ProcessEnv, stderr: NodeJS.WritableStream = proc.stderr): ProcessWarnings {
  const dropNotice = env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED !== 'false';
  const printers = proc.listeners('warning');
  proc.removeAllListeners('warning');
  let json: Logger | undefined;
  proc.on('warning', (warning: Error & { code?: string }) => {
    if (dropNotice && SDK_NODE_NOTICE.test(warning.message)) return;
    // Node installs no printer under --no-warnings (or NODE_NO_WARNINGS=1): warnings are then not shown at all.
    if (printers.length === 0) return;
    if (json) json.warn({ warning: warning.name, ...(typeof warning.code === 'string' ? { code: warning.code } : {}) }, warning.message);
    else for (const print of printers) print(warning);
  });
  return {
    printAsJson(asJson) {
      json = asJson ? createLogger({ format: 'json', stream: stderr, level: 'warn' }) : undefined;
    },
  };
}
