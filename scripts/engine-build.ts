/**
 * Builds node-llama-cpp's native addon for this CPU (src/inference/tools/engineBuild.ts), the same build as the
 * extension's "Optimize the Engine for This CPU" command, into the shared cache
 * (${PRIVATE_CODER_CACHE:-~/.cache/private-coder}/engine-builds/…). Once per machine, node-llama-cpp version and CPU;
 * `bench:engine` runs it when the build is missing.
 *
 *   node --import tsx scripts/engine-build.ts      (npm run engine-build; prints the build's info as JSON)
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildEngine } from "../src/inference/tools/engineBuild.ts";
import { nodeLlamaCppDir } from "../src/inference/tools/nodeLlamaCppDir.ts";
import { llamaToolsCacheRoot } from "../src/inference/tools/quantize.ts";

export async function ensureEngineBuild(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<string> {
  let last = -1;
  const started = performance.now();
  const result = await buildEngine({
    cacheRoot: llamaToolsCacheRoot(),
    nodeLlamaCppDir: nodeLlamaCppDir(),
    onProgress: (phase, percent) => {
      if (percent >= last + 10 || percent === 100) {
        last = percent;
        log(`[engine-build] ${phase} ${percent}% (${Math.round((performance.now() - started) / 1000)} s)`);
      }
    },
    onLine: (line) => {
      if (/error|skipped/i.test(line)) log(line);
    },
  });
  log(`[engine-build] ${result.cached ? "cached" : "built"}: ${result.addon}`);
  return result.addon;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureEngineBuild().then(
    (addon) => process.stdout.write(`${JSON.stringify({ addon })}\n`),
    (error: unknown) => {
      process.stderr.write(`✘ ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
