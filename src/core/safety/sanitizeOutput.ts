/**
 * Cleans model output before it reaches the editor or the chat. A model echoing a file can emit terminal escape
 * sequences (ANSI colours, OSC 8 hyperlinks, OSC 52 clipboard writes) or control characters; in a terminal they
 * act, in the editor they corrupt text. Bidi controls are removed too, so a completion cannot insert Trojan-Source
 * reordering into code. E-mail and phone redaction (the design article's "output moderation") is off by default:
 * code and docs are full of legitimate addresses and numbers, and the output is the user's own.
 */

export interface SanitizeOutputOptions {
  /** Replace e-mail addresses with `[email removed]` and phone numbers with `[phone removed]`. Default false. */
  readonly redactEmailsAndPhones?: boolean;
  /** Remove bidi controls (U+202A–202E, U+2066–2069). Default true. */
  readonly removeBidiControls?: boolean;
}

/**
 * Escape sequences, all linear: CSI `ESC [ … final`, OSC/DCS/SOS/PM/APC strings up to BEL or ST (bounded, so an
 * unterminated one does not swallow the rest of the reply), the 8-bit C1 forms, and two-character `ESC x` sequences.
 */
const ESCAPE_RE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point of this module
  /\x1b\[[0-?]{0,64}[ -/]{0,16}[@-~]|\x9b[0-?]{0,64}[ -/]{0,16}[@-~]|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]{0,4096}(?:\x07|\x1b\\|\x9c)|\x1b[ -/]{0,4}[0-~]?/g;
/** C0 controls except \t and \n, DEL, C1 controls. A lone \r (a terminal "overwrite the line") goes too; \r\n becomes \n. */
// eslint-disable-next-line no-control-regex -- see above
const CONTROL_RE = /\r\n|[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
const BIDI_RE = /[\u202A-\u202E\u2066-\u2069]/g;
const EMAIL_RE = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;
/** International (+49 30 1234567) or North-American (555-123-4567, (555) 123-4567) shapes with separators. */
const PHONE_RE = /(?<![\w.+-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]\d{3,5}(?![\w-]|\.\d)/g;

/** Returns `text` without escape sequences and control characters (and, if asked, without e-mails and phone numbers). */
export function sanitizeModelOutput(text: string, options: SanitizeOutputOptions = {}): string {
  let out = text.replace(ESCAPE_RE, "").replace(CONTROL_RE, (m) => (m === "\r\n" ? "\n" : ""));
  if (options.removeBidiControls ?? true) out = out.replace(BIDI_RE, "");
  if (options.redactEmailsAndPhones) out = out.replace(EMAIL_RE, "[email removed]").replace(PHONE_RE, "[phone removed]");
  return out;
}

/** True when `tail` (starting at an ESC or C1 introducer) may still become a longer escape sequence. */
/* eslint-disable no-control-regex -- escape sequences start with control characters */
function isIncompleteEscape(tail: string): boolean {
  if (/^(?:\x1b\[|\x9b)[0-?]*[ -/]*$/.test(tail)) return true;
  if (/^(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x9c]*$/.test(tail) && !tail.slice(2).includes("\x1b\\")) return true;
  return /^\x1b[ -/]*$/.test(tail);
}
/* eslint-enable no-control-regex */

/**
 * The streaming form: model output arrives in chunks and an escape sequence can be split between two of them.
 * `push` returns what is safe to show now and holds back a trailing incomplete sequence (at most a few KB);
 * `end` returns the rest, sanitised.
 */
export class OutputSanitizer {
  private pending = "";
  constructor(private readonly options: SanitizeOutputOptions = {}) {}

  push(chunk: string): string {
    const text = this.pending + chunk;
    // Hold back from the last ESC / C1 introducer / CR if what follows it could still be an unfinished sequence.
    const cut = Math.max(text.lastIndexOf("\x1b"), text.lastIndexOf("\x9b"), text.lastIndexOf("\x9d"), text.lastIndexOf("\x90"));
    let hold = -1;
    if (cut !== -1 && text.length - cut < 4200 && isIncompleteEscape(text.slice(cut))) hold = cut;
    if (hold === -1 && text.endsWith("\r")) hold = text.length - 1;
    // Under the e-mail/phone option, an address can be split too: hold back the last partial word.
    if (this.options.redactEmailsAndPhones && hold === -1) {
      const m = /[^\s]{1,120}$/.exec(text);
      if (m) hold = m.index;
    }
    if (hold === -1) {
      this.pending = "";
      return sanitizeModelOutput(text, this.options);
    }
    this.pending = text.slice(hold);
    return sanitizeModelOutput(text.slice(0, hold), this.options);
  }

  end(): string {
    const rest = this.pending;
    this.pending = "";
    return sanitizeModelOutput(rest, this.options);
  }
}
