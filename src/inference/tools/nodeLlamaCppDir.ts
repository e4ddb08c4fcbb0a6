/**
 * node-llama-cpp's package folder, resolved from this module. ESM only (the child, scripts, tests): the host's
 * CommonJS bundle has no `import.meta.url` and passes `<extension>/node_modules/node-llama-cpp` instead.
 */
import { createRequire } from "node:module";
import path from "node:path";

export function nodeLlamaCppDir(): string {
  // The package's `exports` hide package.json; its main entry is dist/index.js.
  return path.resolve(path.dirname(createRequire(import.meta.url).resolve("node-llama-cpp")), "..");
}
