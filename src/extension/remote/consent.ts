/**
 * Consent before code leaves the machine: the first time a request would send code to an endpoint that is not this
 * machine (loopback needs none), a modal says where it goes and what the safety filter removes; nothing is sent
 * before the user agrees. The agreement is remembered per endpoint origin (global state, not settings, so a shared
 * settings file cannot pre-approve a server); refusing rejects the request with `ConsentRefused`.
 */
import * as vscode from "vscode";
import { isLoopbackUrl, RemoteError, RemoteErrorCode, safeOrigin } from "../../core/remote/index.ts";

const STATE_KEY = "privateCoder.remote.consentedOrigins";

export class RemoteConsent {
  /** One modal per origin at a time: concurrent requests wait for the same answer. */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly state: vscode.Memento) {}

  has(url: string): boolean {
    return isLoopbackUrl(url) || this.origins().includes(safeOrigin(url));
  }

  /** Resolves once code may go to `url`; rejects with `ConsentRefused` when the user says no. */
  ensure(url: string): Promise<void> {
    if (this.has(url)) return Promise.resolve();
    const origin = safeOrigin(url);
    let answer = this.pending.get(origin);
    if (!answer) {
      answer = this.ask(origin).finally(() => this.pending.delete(origin));
      this.pending.set(origin, answer);
    }
    return answer;
  }

  async forget(url: string): Promise<void> {
    const origin = safeOrigin(url);
    await this.state.update(STATE_KEY, this.origins().filter((o) => o !== origin));
  }

  private origins(): string[] {
    const value = this.state.get<unknown>(STATE_KEY);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  }

  private async ask(origin: string): Promise<void> {
    const send = vscode.l10n.t("Send Code to {0}", origin);
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t("Send code to {0}?", origin),
      {
        modal: true,
        detail: vscode.l10n.t(
          "Completion and chat requests will go to the server {0}, not to a model on this machine: the code around your cursor, your chat messages and the code you attach. Before anything is sent, the safety filter removes files you excluded (`privateCoder.safety.excludedPaths`, `.privatecoderignore`), secrets it recognises (API keys, tokens, private keys, passwords) and your sensitive words. Whoever runs that server can read the rest. Private Coder remembers your answer for this server.",
          origin,
        ),
      },
      send,
    );
    if (choice !== send) throw new RemoteError(RemoteErrorCode.ConsentRefused, `the user did not agree to send code to ${origin}`, { endpoint: origin });
    await this.state.update(STATE_KEY, [...this.origins(), origin]);
  }
}
