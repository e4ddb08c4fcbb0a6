/**
 * The completion safety rules without an editor (the unit tests and the bench): the same `PathExclusion` the host's
 * `SafetyService` uses, over a file system they pass in, and settings read on each request.
 */
import { EventEmitter } from "../events.ts";
import { PathExclusion, type SafetyFileSystem, type SafetyPolicy, type SensitiveWordAction } from "../safety/index.ts";
import type { CompletionSafetyPolicy, DocumentLocation } from "./safetyGate.ts";

export interface CompletionSafetySettings {
  readonly excludedPaths: readonly string[];
  readonly sensitiveWords: readonly string[];
  readonly sensitiveWordAction: SensitiveWordAction;
  /** Absolute paths of every workspace folder (multi-root: all of them; `.privatecoderignore` is read per folder). */
  readonly workspaceFolders: readonly string[];
}

export class FileSystemSafetyPolicy implements CompletionSafetyPolicy {
  private exclusion: PathExclusion | undefined;
  private readonly changed = new EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly fs: SafetyFileSystem,
    private readonly settings: () => CompletionSafetySettings,
  ) {}

  /** Settings, workspace folders or an ignore file changed: the exclusion is rebuilt and the gate forgets its decisions. */
  rulesChanged(): void {
    this.exclusion = undefined;
    this.changed.fire();
  }

  policy(): SafetyPolicy {
    const s = this.settings();
    this.exclusion ??= new PathExclusion({ fs: this.fs, userPatterns: s.excludedPaths, workspaceFolders: s.workspaceFolders });
    return { exclusion: this.exclusion, sensitiveWords: s.sensitiveWords, sensitiveWordAction: s.sensitiveWordAction };
  }

  async isExcluded(location: DocumentLocation): Promise<boolean> {
    if (location.path === undefined) return false;
    return (await this.policy().exclusion!.check({ scheme: location.scheme, path: location.path })).excluded;
  }
}
