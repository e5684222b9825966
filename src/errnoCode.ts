/** What an I/O error says in one word for messages: its errno code (ENOENT, EACCES, …), else its message. */
export function errnoCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
