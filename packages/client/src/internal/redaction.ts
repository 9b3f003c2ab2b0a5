const REDACTED = '[redacted]';
// A derived form shorter than this could match ordinary text; real tokens are hundreds of characters.
const MIN_DERIVED_LENGTH = 16;

function base64(text: string): string | undefined {
  try {
    return btoa(text);
  } catch {
    return undefined; // not Latin-1: no token a header can carry
  }
}

/**
 * The stretches of base64 that encode `token` wherever it sits in the encoded text: base64 packs
 * 3 bytes into 4 characters, so the token's encoding depends on its offset modulo 3 (`Bearer ` puts
 * it at 7). For each offset, the characters made of the token's bits alone, in both alphabets.
 */
function base64Forms(token: string): string[] {
  const forms: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = base64(`${'\0'.repeat(offset)}${token}`);
    if (encoded === undefined) return [];
    const core = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + token.length)) / 6));
    forms.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A function that replaces `secret` with `[redacted]` in the forms a server plausibly echoes it:
 * as is (also inside `Bearer <token>`), URL-encoded (percent escapes in either case), and base64
 * or base64url of the token or of any text that contains it (such as the whole header). Applied
 * to every text a response puts into an error.
 */
export function redactor(secret: string): (text: string) => string {
  // Built on first use: most calls succeed and never need it.
  let pattern: RegExp | undefined;
  return (text) => {
    pattern ??= redactionPattern(secret);
    return text.replace(pattern, REDACTED);
  };
}

function redactionPattern(secret: string): RegExp {
  const derived = [encodeURIComponent(secret), ...base64Forms(secret)].filter(
    (form) => form.length >= MIN_DERIVED_LENGTH && form !== secret,
  );
  // Case-insensitive for percent escapes (%2B, %2b); a case variant of the rest is redacted too.
  return new RegExp([secret, ...derived].map(escapeRegExp).join('|'), 'gi');
}
