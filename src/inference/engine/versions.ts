/**
 * Which llama.cpp this engine runs. node-llama-cpp's release tag of its prebuilt binaries (`llamaCppRelease`) is not
 * a llama.cpp build number, so the build (scripts/childBundle.mjs) writes the llama.cpp commit node-llama-cpp was
 * built from into the child, read from its source bundle's header.
 */
declare const __LLAMA_CPP_COMMIT__: string | null | undefined;

/** The llama.cpp commit (12 hex digits), or null when the build could not tell. */
export function llamaCppCommit(): string | null {
  return typeof __LLAMA_CPP_COMMIT__ === "string" ? __LLAMA_CPP_COMMIT__ : null;
}
