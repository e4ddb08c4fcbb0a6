import type { BinaryInfo } from "./protocol.ts";

/** The binary in use as one English phrase, for the engine's log and Engine Status details (metadata only). */
export function describeBinaryInfo(binary: BinaryInfo): string {
  return (
    `${binary.package ?? binary.source} (${binary.source}${binary.location ? ` from ${binary.location}` : ""})` +
    (binary.localBuildFallbackReason ? ` (local build not used: ${binary.localBuildFallbackReason})` : "")
  );
}
