/**
 * Pre-load checks of a GGUF file, so the user gets "the file is truncated" instead of a llama.cpp abort or an
 * opaque loader message. Cheap: reads the header and the tensor table, never the weights.
 */
import { open, stat } from "node:fs/promises";
import { readGgufFileInfo, type GgufFileInfo } from "node-llama-cpp";
import { EngineError } from "../errors.ts";
import { EngineErrorCode } from "../protocol.ts";

/** GGUF versions llama.cpp reads. node-llama-cpp would silently read any other version as v3. */
const SUPPORTED_GGUF_VERSIONS = new Set([2, 3]);

/** Bytes per block and elements per block of the ggml types whose size we know (see ggml.c `type_traits`). */
const GGML_TYPE_BLOCK: Record<number, [bytes: number, elements: number]> = {
  0: [4, 1], // F32
  1: [2, 1], // F16
  2: [18, 32], // Q4_0
  3: [20, 32], // Q4_1
  6: [22, 32], // Q5_0
  7: [24, 32], // Q5_1
  8: [34, 32], // Q8_0
  9: [36, 32], // Q8_1
  10: [84, 256], // Q2_K
  11: [110, 256], // Q3_K
  12: [144, 256], // Q4_K
  13: [176, 256], // Q5_K
  14: [210, 256], // Q6_K
  15: [292, 256], // Q8_K
  24: [1, 1], // I8
  25: [2, 1], // I16
  26: [4, 1], // I32
  27: [8, 1], // I64
  28: [8, 1], // F64
  30: [2, 1], // BF16
};

export interface CheckedModelFile {
  fileSize: number;
  info: GgufFileInfo;
  architecture: string;
}

/**
 * Checks that `path` is a complete GGUF file llama.cpp can read.
 * @throws EngineError with code modelMissing | modelEmpty | modelBadMagic | modelUnsupportedVersion | modelTruncated
 */
export async function checkModelFile(path: string): Promise<CheckedModelFile> {
  let fileSize: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new EngineError(EngineErrorCode.ModelMissing, `Not a file: ${path}`, { path });
    fileSize = s.size;
  } catch (error) {
    if (error instanceof EngineError) throw error;
    throw new EngineError(EngineErrorCode.ModelMissing, `Model file not found: ${path}`, { path });
  }
  if (fileSize === 0) throw new EngineError(EngineErrorCode.ModelEmpty, `Model file is empty: ${path}`, { path });

  const header = Buffer.alloc(8);
  const handle = await open(path, "r");
  let headerBytes: number;
  try {
    ({ bytesRead: headerBytes } = await handle.read(header, 0, 8, 0));
  } finally {
    await handle.close();
  }
  if (headerBytes < 4 || header.toString("latin1", 0, 4) !== "GGUF") {
    throw new EngineError(EngineErrorCode.ModelBadMagic, `Not a GGUF file (bad magic): ${path}`, {
      path,
      magic: header.toString("hex", 0, Math.min(4, headerBytes)),
    });
  }
  if (headerBytes < 8) throw truncated(path, fileSize, 8);
  const version = header.readUInt32LE(4);
  if (!SUPPORTED_GGUF_VERSIONS.has(version)) {
    throw new EngineError(
      EngineErrorCode.ModelUnsupportedVersion,
      `Unsupported GGUF version ${version} (supported: 2, 3): ${path}`,
      { path, version },
    );
  }

  let info: GgufFileInfo;
  try {
    info = await readGgufFileInfo(path, { readTensorInfo: true, ignoreKeys: ["tokenizer.ggml.merges"] });
  } catch (error) {
    // The header parsed but the metadata or tensor table ran past the end of the file.
    const message = error instanceof Error ? error.message : String(error);
    throw new EngineError(EngineErrorCode.ModelTruncated, `Model file is truncated or corrupt (${message}): ${path}`, {
      path,
      fileSize,
    });
  }

  const expectedSize = expectedFileSize(info);
  if (expectedSize != null && expectedSize > fileSize) throw truncated(path, fileSize, expectedSize);

  const architecture = info.metadata?.general?.architecture ?? "unknown";
  return { fileSize, info, architecture: String(architecture) };
}

function truncated(path: string, fileSize: number, expectedSize: number): EngineError {
  return new EngineError(
    EngineErrorCode.ModelTruncated,
    `Model file is truncated: ${fileSize} bytes, its header needs at least ${expectedSize} (interrupted download?): ${path}`,
    { path, fileSize, expectedSize },
  );
}

/**
 * The end of the last tensor's data, from the tensor table. For tensor types of unknown size, the tensor's start
 * plus one byte (still catches files cut inside the table or the data).
 */
export function expectedFileSize(info: GgufFileInfo): number | null {
  const tensors = info.fullTensorInfo ?? info.tensorInfo;
  if (tensors == null || tensors.length === 0) return info.infoEndOffset ?? null;
  let end = 0;
  for (const tensor of tensors) {
    const start = Number(tensor.fileOffset);
    const elements = tensor.dimensions.reduce<number>((n, d) => n * Number(d), 1);
    const block = GGML_TYPE_BLOCK[tensor.ggmlType];
    const bytes = block ? Math.ceil(elements / block[1]) * block[0] : 1;
    end = Math.max(end, start + bytes);
  }
  return end;
}
