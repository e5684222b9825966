/**
 * Node exits with status 0 when nothing is left to wait on, even while a promise is pending: a command whose work
 * waits on something that will never come (a stream already ended) would end quietly, as if it had succeeded. For
 * the command's promise, this turns that into a one-line error and exit status 1. A defect, never a normal ending.
 */
export function failIfUnsettled(proc: NodeJS.Process, command: Promise<unknown>): void {
  let settled = false;
  const onExit = (code: number): void => {
    if (settled || code !== 0) return;
    proc.stderr.write('auth0-usage: unexpected error: the command ended before it finished (it waited on something that never came)\n');
    proc.exitCode = 1;
  };
  proc.on('exit', onExit);
  const settle = (): void => {
    settled = true;
    proc.off('exit', onExit);
  };
  command.then(settle, settle);
}
