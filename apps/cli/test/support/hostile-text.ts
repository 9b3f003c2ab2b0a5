// Third-party text that would drive a terminal, and how the CLI shows it (`terminalText`): escape
// sequences (a hyperlink, a screen clear), a bidi override, a C1 CSI, a zero-width space.
export const HOSTILE = 'Evil\u001b]8;;https://evil.example\u0007Corp\u001b[2J\u202eFED\u009b31m\u200bLtd';
export const SHOWN = 'Evil\\u{1b}]8;;https://evil.example\\u{7}Corp\\u{1b}[2J\\u{202e}FED\\u{9b}31m\\u{200b}Ltd';
/** The characters of {@link HOSTILE} a terminal acts on: none may reach it raw. */
export const RAW_CONTROLS = ['\u001b', '\u0007', '\u009b', '\u202e', '\u200b'] as const;
