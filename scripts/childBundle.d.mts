import type { BuildOptions } from "esbuild";

/** What makes the inference child bundle what it is (see scripts/childBundle.mjs). */
export function childBundleOptions(): BuildOptions;
