// Browser code of the chat view. It renders what the host says and sends intents back; it owns no engine or
// editor state, only view state kept with getState/setState so it survives being hidden.
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-progress-bar/index.js";
import { parseHostToWebview, type EngineViewState, type WebviewToHost } from "../../core/chatProtocol";

interface VsCodeApi<State> {
  postMessage(message: WebviewToHost): void;
  getState(): State | undefined;
  setState(state: State): void;
}
declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

interface ViewState {
  readonly lastEngineState?: EngineViewState;
}

const vscodeApi = acquireVsCodeApi<ViewState>();
const app = document.getElementById("app") as HTMLElement;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function actionButton(label: string, message: WebviewToHost, secondary = false): HTMLElement {
  const button = document.createElement("vscode-button");
  button.textContent = label;
  if (secondary) button.setAttribute("secondary", "");
  button.addEventListener("click", () => vscodeApi.postMessage(message));
  return button;
}

function render(state: EngineViewState): void {
  const panel = element("section", `engine-state engine-state--${state.kind}`);
  panel.dataset.state = state.kind;
  switch (state.kind) {
    case "noModel":
      panel.append(
        element("h2", "title", "No model selected"),
        element("p", "hint", "Private Coder runs a GGUF model on this machine. Nothing you type leaves it."),
        actionButton("Select Model…", { type: "selectModel" }),
      );
      break;
    case "idle":
    case "ready":
      panel.append(
        element("h2", "title", state.modelName),
        element("p", "hint", state.kind === "ready" ? "Model loaded." : "The model loads when you first use it."),
      );
      break;
    case "loading": {
      const progress = document.createElement("vscode-progress-bar");
      progress.setAttribute("value", String(Math.round(state.progress * 100)));
      progress.setAttribute("max", "100");
      panel.append(element("h2", "title", `Loading ${state.modelName}…`), progress);
      break;
    }
    case "crashed":
      panel.append(
        element("h2", "title", "The engine stopped"),
        element("p", "error", state.message),
        actionButton("Restart", { type: "restartEngine" }),
        actionButton("Open Logs", { type: "showLogs" }, true),
      );
      break;
    case "error":
      panel.append(element("h2", "title", "Error"), element("p", "error", state.message), actionButton("Open Logs", { type: "showLogs" }, true));
      break;
  }
  app.replaceChildren(panel);
}

window.addEventListener("message", (event: MessageEvent<unknown>) => {
  const message = parseHostToWebview(event.data);
  if (!message) {
    console.warn("Private Coder chat: dropped a malformed message from the host");
    return;
  }
  switch (message.type) {
    case "engineState":
      vscodeApi.setState({ ...vscodeApi.getState(), lastEngineState: message.state });
      render(message.state);
      break;
  }
});

// Show the last known state at once (the view was hidden and recreated), then ask the host for the current one.
const saved = vscodeApi.getState()?.lastEngineState;
if (saved) render(saved);
vscodeApi.postMessage({ type: "ready" });
