/**
 * What a terminal shows after the given output: the few controls a progress bar and log lines use (CR, LF, cursor
 * to column 1, erase in line, cursor save and restore; others are dropped), on a screen that grows downwards.
 */
export function terminalScreen(output: string): string[] {
  const rows: string[][] = [[]];
  let row = 0;
  let col = 0;
  let saved: [number, number] = [0, 0];
  const controls = /\x1b\[[?\d;]*[A-Za-z]|\x1b[78]|[\r\n]|[^\x1b\r\n]+/g;
  for (const [token] of output.matchAll(controls)) {
    if (token === '\n') {
      row++;
      col = 0;
      rows[row] ??= [];
    } else if (token === '\r' || token === '\x1b[1G' || token === '\x1b[G') col = 0;
    else if (token === '\x1b7') saved = [row, col];
    else if (token === '\x1b8') [row, col] = saved;
    else if (/^\x1b\[0?K$/.test(token)) rows[row]!.length = Math.min(rows[row]!.length, col);
    else if (token === '\x1b[2K') rows[row] = [];
    else if (!token.startsWith('\x1b')) {
      for (const char of token) rows[row]![col++] = char;
    }
  }
  return rows.map((cells) => Array.from(cells, (c) => c ?? ' ').join(''));
}
