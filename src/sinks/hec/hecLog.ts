/** The logging the HEC sink needs; a pino logger fits. Messages never contain the token. */
export interface HecLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

/** Used when the caller passes no logger: warnings still reach stderr, the rest is dropped. */
export const stderrWarningsLog: HecLog = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message) => process.stderr.write(`warning: ${message}\n`),
};
