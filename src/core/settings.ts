/**
 * Every `privateCoder.*` setting, defined once: its type, default and description. `package.json`'s
 * `contributes.configuration` must agree with this table (a unit test compares them), and the typed `Config` in
 * the extension reads through it, so a setting's name and default live in exactly one place.
 */

interface SettingBase<T> {
  /** Markdown shown in the Settings UI. */
  readonly description: string;
  readonly default: T;
  /** Where the setting may be set; `machine` keeps paths to local files out of Settings Sync. */
  readonly scope?: "application" | "machine" | "window" | "resource" | "language-overridable";
  readonly order?: number;
}

export interface BooleanSetting extends SettingBase<boolean> {
  readonly type: "boolean";
}
export interface StringSetting<T extends string = string> extends SettingBase<T> {
  readonly type: "string";
  readonly enum?: readonly T[];
  readonly enumDescriptions?: readonly string[];
}
export interface IntegerSetting extends SettingBase<number> {
  readonly type: "integer";
  readonly minimum?: number;
  readonly maximum?: number;
}
export interface StringArraySetting extends SettingBase<readonly string[]> {
  readonly type: "array";
  readonly items: { readonly type: "string" };
}

export type SettingDefinition = BooleanSetting | StringSetting | IntegerSetting | StringArraySetting;

export const SETTINGS_SECTION = "privateCoder";

export const GPU_DEVICES = ["auto", "cpu", "cuda", "vulkan", "metal"] as const;
export type GpuDeviceSetting = (typeof GPU_DEVICES)[number];

/** Where a role's model runs. */
export const BACKEND_CHOICES = ["local", "remote"] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export const FIM_TEMPLATE_CHOICES = ["auto", "qwen", "starcoder", "codellama", "deepseek", "codestral", "none"] as const;

export const SETTINGS = {
  "completion.modelPath": {
    type: "string",
    default: "",
    scope: "machine",
    order: 1,
    description:
      "Path to the GGUF model used for inline code completion (a FIM-capable coder model such as Qwen2.5-Coder). Empty: use the chat model. Set it with **Private Coder: Select Model…**.",
  },
  "chat.modelPath": {
    type: "string",
    default: "",
    scope: "machine",
    order: 2,
    description:
      "Path to the GGUF model used for chat and Explain Selection. Empty: use the completion model. Set it with **Private Coder: Select Model…**.",
  },
  "completion.enabled": {
    type: "boolean",
    default: true,
    order: 10,
    description: "Show inline (ghost text) code completions while typing.",
  },
  "completion.disabledLanguages": {
    type: "array",
    items: { type: "string" },
    default: [],
    order: 11,
    description: "Language ids (e.g. `markdown`, `plaintext`) where inline completions are not shown while typing. **Private Coder: Trigger Inline Completion** (`Alt+\\`) still works there.",
  },
  "completion.debounceMs": {
    type: "integer",
    default: 0,
    minimum: 0,
    maximum: 5000,
    order: 12,
    description: "Pause after a keystroke before asking the model, in milliseconds. `0` adapts it to the measured speed of the completion model (shorter on a fast GPU, longer on a slow CPU).",
  },
  "completion.maxPromptTokens": {
    type: "integer",
    default: 0,
    minimum: 0,
    maximum: 32768,
    order: 13,
    description:
      "Most tokens of code sent with each completion request (prefix, suffix and snippets of related files). `0` derives it from the measured prompt speed of the model. A set value is used for every request, also when the prompt must be evaluated from scratch (a new file, a cursor jump), which takes seconds on a CPU.",
  },
  "completion.maxTokens": {
    type: "integer",
    default: 0,
    minimum: 0,
    maximum: 1024,
    order: 14,
    description: "Most tokens a multi-line suggestion may generate. `0` derives it from the measured generation speed, so a suggestion arrives within about two seconds.",
  },
  "completion.alternatives": {
    type: "integer",
    default: 0,
    minimum: 0,
    maximum: 4,
    order: 15,
    description:
      "Suggestions generated when you ask for one (`Alt+\\`, or `Alt+]` / `Alt+[` to cycle through them): the first is the model's most likely text, the others are sampled. `0` asks for a second one where the model answers in under a second, and on a slower machine when you press `Alt+]` on a suggestion (the first is then already there, so only the alternative takes time). Suggestions that appear while typing are always single.",
  },
  "chat.explainInCurrentConversation": {
    type: "boolean",
    default: false,
    order: 16,
    description: "Add each **Explain Selection** to the conversation that is open, instead of starting a new conversation for it (which keeps each explanation within the model's context window).",
  },
  "chat.answerCache": {
    type: "boolean",
    default: true,
    order: 17,
    description:
      "Answer a question asked again on the same context (the same attachments and earlier messages, the same model) from a local cache, marked **from cache** with a Regenerate button. The cache is kept in memory only, holds at most 200 answers, and is cleared with the conversations and when the exclusion settings change.",
  },
  "chat.summarizeHistory": {
    type: "boolean",
    default: true,
    order: 18,
    description:
      "When a conversation grows longer than the chat model's context window, let the model summarise the oldest messages (in the background, when the chat is idle; any new request comes first) and send the summary in their place. Off: the oldest messages are only left out.",
  },
  "engine.gpu": {
    type: "string",
    default: "auto",
    enum: GPU_DEVICES,
    enumDescriptions: [
      "Use the best GPU that works on this machine, else the CPU.",
      "CPU only.",
      "NVIDIA CUDA.",
      "Vulkan.",
      "Apple Metal.",
    ],
    scope: "machine",
    order: 20,
    description: "Compute device for llama.cpp. A GPU that fails to start falls back to the CPU, and the status bar says so.",
  },
  "engine.threads": {
    type: "integer",
    default: 0,
    minimum: 0,
    maximum: 256,
    scope: "machine",
    order: 21,
    description:
      "CPU threads for inference. `0` measures the fastest count for each model on this machine when it loads and remembers it.",
  },
  "tools.llamaQuantizePath": {
    type: "string",
    default: "",
    scope: "machine",
    order: 40,
    description:
      "Path to llama.cpp's `llama-quantize` for **Private Coder: Quantize Model…**. Empty: the copy built from the bundled llama.cpp source by `npm run llama-tools` (in `~/.cache/private-coder`).",
  },
  "engine.contextSize": {
    type: "integer",
    default: 0,
    minimum: 0,
    maximum: 1048576,
    order: 22,
    description: "Context window in tokens. `0` chooses the largest size (up to 8192) that fits in memory.",
  },
  "completion.speculativeDecoding": {
    type: "string",
    default: "auto",
    enum: ["auto", "on", "off"],
    enumDescriptions: [
      "Where it measures faster: requests alternate between drafting and not until the decode speed of both is known, then the faster way is kept (and the other tried now and then).",
      "Always draft.",
      "Never draft.",
    ],
    scope: "machine",
    order: 24,
    description:
      "Speculative decoding for inline completion: tokens are drafted from the prompt itself (code repeats names and lines) and checked in one batch. The suggestions stay the same; whether it is faster depends on the code and the machine: on a 2-core CPU, where checking drafts costs almost as much as it saves, this repository's code measured 1.05× (`npm run bench:completion`).",
  },
  "chat.speculativeDecoding": {
    type: "string",
    default: "auto",
    enum: ["auto", "on", "off"],
    enumDescriptions: [
      "Where it measures faster: edits alternate between drafting and not until the decode speed of both is known, then the faster way is kept (and the other tried now and then).",
      "Always draft.",
      "Never draft.",
    ],
    scope: "machine",
    order: 24,
    description:
      "Speculative decoding for answers that rewrite the code you asked about (**Edit Selection**, **Fix**, **Write Doc Comment**): such an answer repeats long runs of the selection, so up to 12 tokens at a time are drafted from it and checked in one batch. The answer stays the same as without drafting. Measured on this repository's code with a 2-core CPU: 2.4–2.5× the decode speed if the model writes the edit (`npm run bench:completion`). Other chat answers never draft.",
  },
  "engine.gpuLayers": {
    type: "integer",
    default: -1,
    minimum: -1,
    maximum: 1000,
    scope: "machine",
    order: 23,
    description: "Model layers to offload to the GPU. `-1` is **auto** (the default): as many as fit in GPU memory, the rest runs on the CPU (the design article's CPU offload). `0` keeps the model on the CPU; a number offloads that many layers.",
  },
  "engine.flashAttention": {
    type: "string",
    default: "auto",
    enum: ["auto", "on", "off"],
    enumDescriptions: [
      "Where the device supports it (llama.cpp decides). Measured on a 2-core CPU: a 1,400-token prompt evaluated about 1.5 times as fast.",
      "Always (a device without support fails to load the model).",
      "Never.",
    ],
    scope: "machine",
    order: 24,
    description: "Flash attention: faster prompt evaluation and less memory for long contexts.",
  },
  "engine.gpuPackageRegistry": {
    type: "string",
    default: "https://registry.npmjs.org",
    scope: "machine",
    order: 26,
    description:
      "npm registry (or a mirror with the same API) that **Private Coder: Enable GPU Acceleration** fetches node-llama-cpp's CUDA or Vulkan binary package from, exactly the version the extension runs. The package is checked against the registry's published integrity (SHA-512) before it is unpacked. VS Code's proxy settings apply. Nothing is fetched unless you run that command.",
  },
  "engine.idleUnloadMinutes": {
    type: "integer",
    default: 15,
    minimum: 0,
    maximum: 1440,
    order: 25,
    description: "Unload models after this many minutes without a request, to give the memory back. `0` keeps them loaded. They reload on next use.",
  },
  "models.folders": {
    type: "array",
    items: { type: "string" },
    default: [],
    scope: "machine",
    order: 30,
    description:
      "Extra folders searched for `.gguf` models by **Private Coder: Select Model…** (four levels deep). The extension's own models folder and the stores of Ollama, LM Studio, the Hugging Face cache and llama.cpp's cache are always searched; models are used where they are, never copied.",
  },
  "models.downloadEndpoint": {
    type: "string",
    default: "https://huggingface.co",
    scope: "machine",
    order: 31,
    description:
      "Base URL models are downloaded from (`{endpoint}/{repo}/resolve/{revision}/{file}`): Hugging Face, or a mirror with the same layout. Every download is checked against the size and SHA-256 the catalog (or the server's LFS metadata) gives. VS Code's proxy settings apply.",
  },
  "safety.excludedPaths": {
    type: "array",
    items: { type: "string" },
    default: [],
    order: 40,
    description:
      "Extra files whose content never reaches the model (no completion in them, no chat attachment, no context), as gitignore-style patterns matched case-insensitively, e.g. `config/prod/**`. Built in: `.env`, `.env.*`, `*.pem`, `*.key`, `*.p12`, `*.pfx`, `id_rsa*`, `id_ed25519*`, `.aws/**`, `.ssh/**`, `**/secrets/**`, `.npmrc`, `.pypirc`, `*.kdbx`. A `.privatecoderignore` file in a workspace folder, or in any folder below it, adds patterns (and `!negations`) for that folder, like `.gitignore`.",
  },
  "safety.sensitiveWords": {
    type: "array",
    items: { type: "string" },
    default: [],
    order: 41,
    description:
      "Words that must never be sent to the model (a client's name, a project code name), matched case-insensitively anywhere, also inside identifiers. Empty by default.",
  },
  "safety.sensitiveWordAction": {
    type: "string",
    default: "redact",
    enum: ["redact", "block"],
    enumDescriptions: ["Replace each occurrence with `<redacted:sensitive-word#n>` and send the rest.", "Do not send a request whose context contains a sensitive word."],
    order: 42,
    description: "What happens when the context of a request contains one of `#privateCoder.safety.sensitiveWords#`.",
  },
  "safety.redactEmailsAndPhonesInChatOutput": {
    type: "boolean",
    default: false,
    order: 43,
    description:
      "Replace e-mail addresses and phone numbers in chat replies with `[email removed]` / `[phone removed]`. Off by default: code and docs are full of legitimate addresses and numbers, and the reply comes from your own machine. Escape sequences and control characters are always removed from model output.",
  },
  "usage.enabled": {
    type: "boolean",
    default: true,
    order: 60,
    description:
      "Keep a usage log on this machine: one line of metadata per request (feature, model, token counts, times, outcome), never code, prompts, replies or file names. **Private Coder: Show Statistics** draws it; **Private Coder: Clear Usage Log** deletes it.",
  },
  "usage.maxSizeMB": {
    type: "integer",
    default: 20,
    minimum: 1,
    maximum: 1000,
    order: 61,
    description: "The most disk space (in MB) the usage log may take; the oldest half is dropped when it is full (20 MB holds about 80,000 requests).",
  },
  "completion.backend": {
    type: "string",
    default: "local",
    enum: BACKEND_CHOICES,
    enumDescriptions: ["The model runs on this machine (`#privateCoder.completion.modelPath#`).", "A server from `#privateCoder.remote.endpoints#` (model: `#privateCoder.remote.completionModel#`)."],
    order: 50,
    description: "Where inline completion runs. Completion and chat choose independently (e.g. completion here, chat on the team server).",
  },
  "chat.backend": {
    type: "string",
    default: "local",
    enum: BACKEND_CHOICES,
    enumDescriptions: ["The model runs on this machine (`#privateCoder.chat.modelPath#`).", "A server from `#privateCoder.remote.endpoints#` (model: `#privateCoder.remote.chatModel#`)."],
    order: 51,
    description: "Where chat and Explain Selection run.",
  },
  "remote.endpoints": {
    type: "array",
    items: { type: "string" },
    default: [],
    order: 52,
    description:
      "Base URLs of OpenAI-compatible servers (llama.cpp `llama-server`, vLLM, Ollama, LM Studio…), e.g. `http://gpu-box:8080`. With several, each request goes to the least busy healthy one and fails over when one is down. Add them with **Private Coder: Add Remote Endpoint…** (API keys are kept in the editor's secret storage, never here).",
  },
  "remote.completionModel": {
    type: "string",
    default: "",
    order: 53,
    description: "The server's name of the completion model (as its `/v1/models` lists it). Empty: the first model the server lists.",
  },
  "remote.chatModel": {
    type: "string",
    default: "",
    order: 54,
    description: "The server's name of the chat model. Empty: the first model the server lists.",
  },
  "remote.fimTemplate": {
    type: "string",
    default: "auto",
    enum: FIM_TEMPLATE_CHOICES,
    enumDescriptions: [
      "llama-server: its `/infill` endpoint; Ollama: its `suffix` field; other servers: the template of the family the model's name shows.",
      "Qwen (`<|fim_prefix|>`).",
      "StarCoder (`<fim_prefix>`).",
      "CodeLlama (`<PRE>`).",
      "DeepSeek Coder.",
      "Codestral (`[SUFFIX]`).",
      "No fill-in-the-middle: the text before the cursor only.",
    ],
    order: 55,
    description: "Fill-in-the-middle prompt format for servers other than llama-server.",
  },
  "remote.caFile": {
    type: "string",
    default: "",
    scope: "machine",
    order: 56,
    description: "A PEM file of extra CA certificates to trust for `https` endpoints (a company CA). Proxy settings (`#http.proxy#`) apply to remote requests as to the rest of the editor.",
  },
  "remote.connectTimeoutMs": {
    type: "integer",
    default: 5000,
    minimum: 200,
    maximum: 120000,
    order: 57,
    description: "How long to wait for a connection to an endpoint, in milliseconds; connection errors are retried twice with backoff, then the next endpoint is tried.",
  },
  "remote.firstTokenTimeoutMs": {
    type: "integer",
    default: 30000,
    minimum: 1000,
    maximum: 600000,
    order: 58,
    description: "How long to wait for the first generated token of a request, in milliseconds (a busy or cold server may need long).",
  },
} as const satisfies Record<string, SettingDefinition>;

export type SettingKey = keyof typeof SETTINGS;

type ValueOf<D> = D extends { type: "boolean" }
  ? boolean
  : D extends { type: "integer" }
    ? number
    : D extends { type: "array" }
      ? readonly string[]
      : D extends { enum: readonly (infer E)[] }
        ? E
        : string;

export type SettingValue<K extends SettingKey> = ValueOf<(typeof SETTINGS)[K]>;

/** The fully qualified id, e.g. `privateCoder.engine.threads`. */
export function settingId(key: SettingKey): string {
  return `${SETTINGS_SECTION}.${key}`;
}

/** Why a value from the user's settings was not used (the default was). */
export type SettingProblem =
  | { readonly kind: "wrongType"; readonly expected: "boolean" | "integer" | "string" | "string array" }
  | { readonly kind: "outOfRange"; readonly minimum?: number; readonly maximum?: number }
  | { readonly kind: "notAllowed"; readonly allowed: readonly string[] };

export interface CheckedSetting<K extends SettingKey> {
  readonly value: SettingValue<K>;
  /** Set when the user's value was ignored; `value` is then the default. */
  readonly problem?: SettingProblem;
}

/**
 * Checks a value read from the user's settings against its definition. One that does not fit (wrong type, out of
 * range, not in the enum) degrades to the default instead of reaching the engine, and says why, so the host can
 * tell the user which setting was ignored. An unset value (`undefined`) is the default, not a problem.
 */
export function checkSetting<K extends SettingKey>(key: K, raw: unknown): CheckedSetting<K> {
  const def = SETTINGS[key] as SettingDefinition;
  const fallback = def.default as SettingValue<K>;
  if (raw === undefined) return { value: fallback };
  const ignored = (problem: SettingProblem): CheckedSetting<K> => ({ value: fallback, problem });
  switch (def.type) {
    case "boolean":
      return typeof raw === "boolean" ? { value: raw as SettingValue<K> } : ignored({ kind: "wrongType", expected: "boolean" });
    case "integer": {
      if (typeof raw !== "number" || !Number.isInteger(raw)) return ignored({ kind: "wrongType", expected: "integer" });
      const outside = (def.minimum !== undefined && raw < def.minimum) || (def.maximum !== undefined && raw > def.maximum);
      return outside ? ignored({ kind: "outOfRange", minimum: def.minimum, maximum: def.maximum }) : { value: raw as SettingValue<K> };
    }
    case "string": {
      if (typeof raw !== "string") return ignored({ kind: "wrongType", expected: "string" });
      if (def.enum && !def.enum.includes(raw)) return ignored({ kind: "notAllowed", allowed: def.enum });
      return { value: raw as SettingValue<K> };
    }
    case "array":
      return Array.isArray(raw) && raw.every((v) => typeof v === "string")
        ? { value: raw as SettingValue<K> }
        : ignored({ kind: "wrongType", expected: "string array" });
  }
}

/** The value to use for a setting (the default where the user's value does not fit); see `checkSetting`. */
export function coerceSetting<K extends SettingKey>(key: K, raw: unknown): SettingValue<K> {
  return checkSetting(key, raw).value;
}

/**
 * Keys of the manifest's localized texts (`package.nls.json`) that belong to the settings: the setting id plus
 * `.description`, or plus `.enumDescriptions.<value>`. The `privateCoder.` prefix is reserved for them; hand-written
 * keys (command titles, view names) use other names.
 */
export const SETTINGS_NLS_PREFIX = `${SETTINGS_SECTION}.`;

function descriptionNlsKey(key: SettingKey): string {
  return `${settingId(key)}.description`;
}

function enumDescriptionNlsKey(key: SettingKey, value: string): string {
  return `${settingId(key)}.enumDescriptions.${value}`;
}

/**
 * The `contributes.configuration.properties` object that `package.json` must contain, derived from the table. Every
 * description is a `%key%` reference, resolved by VS Code from `package.nls.json` (English, see `manifestNls`) or a
 * translation (`package.nls.zh-cn.json`).
 */
export function manifestProperties(): Record<string, Record<string, unknown>> {
  const properties: Record<string, Record<string, unknown>> = {};
  for (const [key, def] of Object.entries(SETTINGS) as [SettingKey, SettingDefinition][]) {
    const { description: _description, ...rest } = def;
    const property: Record<string, unknown> = { ...rest, markdownDescription: `%${descriptionNlsKey(key)}%` };
    if (def.type === "string" && def.enum && def.enumDescriptions) {
      property.enumDescriptions = def.enum.map((value) => `%${enumDescriptionNlsKey(key, value)}%`);
    }
    properties[settingId(key)] = property;
  }
  return properties;
}

/** The English texts behind `manifestProperties()`' references: the settings' share of `package.nls.json`. */
export function manifestNls(): Record<string, string> {
  const nls: Record<string, string> = {};
  for (const [key, def] of Object.entries(SETTINGS) as [SettingKey, SettingDefinition][]) {
    nls[descriptionNlsKey(key)] = def.description;
    if (def.type === "string" && def.enum && def.enumDescriptions) {
      const descriptions = def.enumDescriptions;
      def.enum.forEach((value, i) => (nls[enumDescriptionNlsKey(key, value)] = descriptions[i] ?? ""));
    }
  }
  return nls;
}
