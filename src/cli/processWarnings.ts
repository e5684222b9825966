/** The AWS SDK's notice that its releases after January 2027 need Node 22, emitted once as a process warning. */
const SDK_NODE_NOTICE = /^NodeVersionSupportWarning\b/;

/**
 * On Node 20 the AWS SDK prints an eight-line notice as plain text on stderr, which breaks JSON logs on every run.
 * The CLI drops that one warning, unless AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED (the SDK's own switch)
 * is `false`, and hands every other warning to Node's own printer. The SDK itself is quiet only for `true`: a `1`
 * or `yes` meant "quiet" too, so only `false` asks for the notice.
 */
export function quietSdkNodeNotice(proc: NodeJS.Process, env: NodeJS.ProcessEnv): void {
  if (env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === 'false') return;
  const printers = proc.listeners('warning');
  proc.removeAllListeners('warning');
  proc.on('warning', (warning: Error) => {
    if (SDK_NODE_NOTICE.test(warning.message)) return;
    for (const print of printers) print(warning);
  });
}
