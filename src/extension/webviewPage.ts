import { randomBytes } from "node:crypto";
import * as vscode from "vscode";

/** What differs between the extension's webview pages; everything else (the CSP above all) is the same for all. */
export interface WebviewPageOptions {
  /** The bundle's name in `dist/webview`: `<name>.js` and the `<name>.css` esbuild emits for the CSS it imports. */
  readonly bundle: string;
  /** The page's own stylesheet in `media/`. */
  readonly stylesheet: string;
  readonly title: string;
  /** An id for the bundled stylesheet's link (`vscode-codicon-stylesheet` lets vscode-elements find codicons). */
  readonly bundledStyleId?: string;
  /** Elements before the script (e.g. the page's strings as JSON), given the page's nonce. */
  readonly beforeScript?: (nonce: string) => string;
}

/**
 * The HTML of a webview page: a strict Content-Security-Policy (nothing but this page's nonce-tagged scripts and the
 * extension's own styles, fonts and images), the bundle, its stylesheets, and an `#app` element the script fills.
 */
export function webviewPageHtml(webview: vscode.Webview, distRoot: vscode.Uri, mediaRoot: vscode.Uri, page: WebviewPageOptions): string {
  const nonce = randomBytes(16).toString("base64");
  const script = webview.asWebviewUri(vscode.Uri.joinPath(distRoot, `${page.bundle}.js`));
  const bundledStyle = webview.asWebviewUri(vscode.Uri.joinPath(distRoot, `${page.bundle}.css`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, page.stylesheet));
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
  ].join("; ");
  const bundledStyleId = page.bundledStyleId ? ` id="${page.bundledStyleId}"` : "";
  return `<!DOCTYPE html>
<html lang="${vscode.env.language}">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet"${bundledStyleId} href="${bundledStyle.toString()}" nonce="${nonce}">
  <link rel="stylesheet" href="${style.toString()}" nonce="${nonce}">
  <title>${escapeHtml(page.title)}</title>
</head>
<body>
  <main id="app"></main>
  ${page.beforeScript?.(nonce) ?? ""}
  <script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}

/** Text for an HTML element's content: a translation must not be able to open a tag. */
function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
