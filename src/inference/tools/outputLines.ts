/** A tool's stdout/stderr chunks as whole lines (a line may arrive split across chunks). */
export function outputLines(onLine: (line: string) => void): (data: Buffer) => void {
  let buffered = "";
  return (data) => {
    buffered += data.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  };
}
