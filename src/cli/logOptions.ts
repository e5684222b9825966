/** The log flags of the commands that log lines (`run`, `merge`): one definition, so their help says the same. */
export const logCliOptions = {
  'log-level': { type: 'string', choices: ['debug', 'info', 'warn', 'error', 'silent'], describe: 'Log level [default: info; warn while a progress bar is shown]' },
  'log-format': { type: 'string', choices: ['json', 'text'], describe: 'Log lines on stderr [default: text on a TTY, else json]' },
} as const;
