/**
 * GPU on demand, the pure parts: detection from injected probes (this machine has no GPU), the offer, the package
 * names node-llama-cpp imports, and reading an npm registry's answer and SRI integrity.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { binaryPackagesFor, downloadableGpuPackages, gpuStoreLayout, isBinaryPackageName } from "../../src/core/gpu/binaryPackages.ts";
import { detectGpus, gpuOffer, parseNvidiaSmi, shouldOfferGpu, type GpuProbes } from "../../src/core/gpu/detect.ts";
import { integrityMatches, packumentUrl, parseIntegrity, parseVersionDist, RegistryError } from "../../src/core/gpu/npmRegistry.ts";

function probes(overrides: Partial<GpuProbes> & { files?: string[] } = {}): GpuProbes {
  const files = new Set(overrides.files ?? []);
  return {
    platform: "linux",
    arch: "x64",
    totalMemoryBytes: 16 * 2 ** 30,
    freeMemoryBytes: 8 * 2 ** 30,
    nvidiaSmi: () => Promise.resolve(undefined),
    fileExists: (p) => files.has(p),
    ...overrides,
  };
}

describe("GPU detection (injected probes)", () => {
  it("nvidia-smi's CSV gives CUDA GPUs with memory; junk lines are skipped", () => {
    const gpus = parseNvidiaSmi("NVIDIA GeForce RTX 4090, 24564, 23000\n\nnot a gpu line\nTesla T4, 15360, [N/A]\n");
    assert.deepEqual(gpus, [
      { name: "NVIDIA GeForce RTX 4090", backend: "cuda", totalBytes: 24564 * 2 ** 20, freeBytes: 23000 * 2 ** 20 },
      { name: "Tesla T4", backend: "cuda", totalBytes: 15360 * 2 ** 20 },
    ]);
  });

  it("Linux with nvidia-smi and a Vulkan loader: CUDA first, then Vulkan; the offer is CUDA with its -ext companion", async () => {
    const gpus = await detectGpus(probes({ nvidiaSmi: () => Promise.resolve("RTX 3060, 12288, 11000\n"), files: ["/usr/lib/x86_64-linux-gnu/libvulkan.so.1"] }));
    assert.deepEqual(gpus.map((g) => g.backend), ["cuda", "vulkan"]);
    assert.deepEqual(gpuOffer(gpus, "linux", "x64"), { backend: "cuda", packages: ["@node-llama-cpp/linux-x64-cuda", "@node-llama-cpp/linux-x64-cuda-ext"], gpuName: "RTX 3060" });
  });

  it("only a Vulkan loader (AMD/Intel): the offer is Vulkan", async () => {
    const gpus = await detectGpus(probes({ files: ["/usr/lib64/libvulkan.so.1"] }));
    assert.equal(gpuOffer(gpus, "linux", "x64")?.backend, "vulkan");
    const win = await detectGpus(probes({ platform: "win32", systemRoot: "D:\\Win", files: ["D:\\Win\\System32\\vulkan-1.dll"] }));
    assert.deepEqual(gpuOffer(win, "win32", "x64")?.packages, ["@node-llama-cpp/win-x64-vulkan"]);
  });

  it("nothing found, or nvidia-smi failing, gives no GPU and no offer (never throws)", async () => {
    assert.deepEqual(await detectGpus(probes()), []);
    assert.deepEqual(await detectGpus(probes({ nvidiaSmi: () => Promise.reject(new Error("ENOENT")), fileExists: () => Promise.reject(new Error("EACCES")) })), []);
    assert.equal(gpuOffer([], "linux", "x64"), undefined);
  });

  it("Apple Silicon is Metal with the shared RAM, and offers no download (the bundled package is the Metal one)", async () => {
    const gpus = await detectGpus(probes({ platform: "darwin", arch: "arm64" }));
    assert.deepEqual(gpus, [{ name: "Apple Silicon GPU", backend: "metal", totalBytes: 16 * 2 ** 30, freeBytes: 8 * 2 ** 30 }]);
    assert.equal(gpuOffer(gpus, "darwin", "arm64"), undefined);
    assert.deepEqual(await detectGpus(probes({ platform: "darwin", arch: "x64" })), []);
  });

  it("a GPU on a platform without a prebuilt GPU package (Linux arm64) offers nothing", () => {
    assert.equal(gpuOffer([{ name: "Jetson", backend: "cuda" }], "linux", "arm64"), undefined);
  });

  it("the offer is shown once, only on the CPU, not to a user who chose cpu, not when installed", () => {
    const offer = { backend: "cuda" as const, packages: ["@node-llama-cpp/linux-x64-cuda"], gpuName: "RTX" };
    const base = { offer, engineDevice: "cpu", gpuSetting: "auto", installed: false, alreadyOffered: false };
    assert.equal(shouldOfferGpu(base), true);
    assert.equal(shouldOfferGpu({ ...base, engineDevice: "cuda" }), false);
    assert.equal(shouldOfferGpu({ ...base, gpuSetting: "cpu" }), false);
    assert.equal(shouldOfferGpu({ ...base, installed: true }), false);
    assert.equal(shouldOfferGpu({ ...base, alreadyOffered: true }), false);
    assert.equal(shouldOfferGpu({ ...base, offer: undefined }), false);
  });
});

describe("node-llama-cpp binary package names", () => {
  it("match the packages node-llama-cpp imports per platform and backend", () => {
    assert.deepEqual(binaryPackagesFor("linux", "x64", "cpu"), ["@node-llama-cpp/linux-x64"]);
    assert.deepEqual(binaryPackagesFor("linux", "x64", "vulkan"), ["@node-llama-cpp/linux-x64-vulkan"]);
    assert.deepEqual(binaryPackagesFor("win32", "x64", "cuda"), ["@node-llama-cpp/win-x64-cuda", "@node-llama-cpp/win-x64-cuda-ext"]);
    assert.deepEqual(binaryPackagesFor("darwin", "arm64", "metal"), ["@node-llama-cpp/mac-arm64-metal"]);
    assert.deepEqual(binaryPackagesFor("linux", "arm", "cpu"), ["@node-llama-cpp/linux-armv7l"]);
    assert.equal(binaryPackagesFor("linux", "arm64", "cuda"), undefined);
    assert.equal(binaryPackagesFor("freebsd", "x64", "cpu"), undefined);
    assert.equal(downloadableGpuPackages("linux", "x64", "cpu"), undefined);
    assert.equal(downloadableGpuPackages("darwin", "arm64", "metal"), undefined);
  });

  it("only node-llama-cpp's binary packages are redirected", () => {
    assert.equal(isBinaryPackageName("@node-llama-cpp/linux-x64-cuda-ext"), true);
    for (const bad of ["node-llama-cpp", "@node-llama-cpp/../evil", "@other/linux-x64", "@node-llama-cpp/linux-x64/../../x", "@node-llama-cpp/Linux-x64"]) {
      assert.equal(isBinaryPackageName(bad), false, bad);
    }
  });

  it("the store keeps one node_modules tree per node-llama-cpp version", () => {
    const layout = gpuStoreLayout("/storage/", "3.22.1");
    assert.equal(layout.base, "/storage/gpu");
    assert.equal(layout.root, "/storage/gpu/node-llama-cpp@3.22.1");
    assert.equal(layout.packageDir("@node-llama-cpp/linux-x64-cuda"), "/storage/gpu/node-llama-cpp@3.22.1/node_modules/@node-llama-cpp/linux-x64-cuda");
  });
});

describe("npm registry answers", () => {
  const sri = (bytes: string, algorithm = "sha512") => `${algorithm}-${createHash(algorithm).update(bytes).digest("base64")}`;
  const packument = (dist: unknown) => ({ name: "@node-llama-cpp/linux-x64-cuda", versions: { "3.22.1": { name: "@node-llama-cpp/linux-x64-cuda", version: "3.22.1", dist } } });

  it("packument URLs escape the scope's slash and keep a mirror's path", () => {
    assert.equal(packumentUrl("https://registry.npmjs.org/", "@node-llama-cpp/linux-x64-cuda"), "https://registry.npmjs.org/@node-llama-cpp%2flinux-x64-cuda");
    assert.equal(packumentUrl("http://mirror.local:4873/npm", "@a/b"), "http://mirror.local:4873/npm/@a%2fb");
    assert.throws(() => packumentUrl("file:///etc", "@a/b"), RegistryError);
    assert.throws(() => packumentUrl("not a url", "@a/b"));
  });

  it("reads the exact version's tarball and integrity", () => {
    const integrity = sri("tarball");
    const dist = parseVersionDist(packument({ tarball: "https://r/x.tgz", integrity, unpackedSize: 1234 }), "@node-llama-cpp/linux-x64-cuda", "3.22.1");
    assert.deepEqual(dist, { name: "@node-llama-cpp/linux-x64-cuda", version: "3.22.1", tarball: "https://r/x.tgz", integrity, unpackedSize: 1234 });
  });

  it("refuses a missing version, another package, a non-http tarball, and a missing or SHA-1-only integrity", () => {
    const name = "@node-llama-cpp/linux-x64-cuda";
    const code = (document: unknown, version = "3.22.1") => {
      try {
        parseVersionDist(document, name, version);
        return "ok";
      } catch (error) {
        return error instanceof RegistryError ? error.code : "other";
      }
    };
    const good = { tarball: "https://r/x.tgz", integrity: sri("t") };
    assert.equal(code(packument(good), "3.22.2"), "versionMissing");
    assert.equal(code({ ...packument(good), name: "@evil/pkg" }), "badMetadata");
    assert.equal(code(packument({ ...good, tarball: "file:///etc/passwd" })), "badMetadata");
    assert.equal(code(packument({ tarball: good.tarball })), "badIntegrity");
    assert.equal(code(packument({ ...good, integrity: sri("t", "sha1") })), "badIntegrity");
    assert.equal(code("<html>"), "badMetadata");
    assert.equal(code({ name, versions: [] }), "badMetadata");
  });

  it("takes the strongest SHA-2 hash of an SRI string and compares digests", () => {
    const strong = parseIntegrity(`${sri("x", "sha1")} ${sri("x", "sha256")} ${sri("x", "sha512")}?opt`);
    assert.equal(strong.algorithm, "sha512");
    assert.equal(integrityMatches(strong, createHash("sha512").update("x").digest("base64")), true);
    assert.equal(integrityMatches(strong, createHash("sha512").update("y").digest("base64")), false);
    assert.throws(() => parseIntegrity("sha512-tooShort=="), RegistryError);
  });
});
