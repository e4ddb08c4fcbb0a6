/** The backend seam: neutral value types every feature uses, and `ModelRef`. */
export * from "./types.ts";
export * from "./modelRef.ts";
