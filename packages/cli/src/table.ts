/** Plain-text columns: a header line, then one line per row, padded to the widest cell. */

export interface Column {
  header: string;
  /** Numbers read best right-aligned. Default: left. */
  align?: "left" | "right";
}

const GAP = "  ";

/** The table as text, each line ending in a newline, with no trailing spaces. */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, i) => Math.max(column.header.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((column, i) => {
        const cell = cells[i] ?? "";
        const width = widths[i] ?? 0;
        return column.align === "right" ? cell.padStart(width) : cell.padEnd(width);
      })
      .join(GAP)
      .trimEnd() + "\n";
  return line(columns.map((c) => c.header)) + rows.map(line).join("");
}
