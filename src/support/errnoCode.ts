import { Auth0UsageError } from './errors';

/** What an I/O error says in one word for messages: its errno code (ENOENT, EACCES, …), else its message. */
export function errnoCode(error: unknown): string {
  if (error instanceof Auth0UsageError) return error.message;
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
