// A derived form shorter than this could match ordinary text; real tokens are hundreds of characters.
const MIN_DERIVED_LENGTH = 16;

/**
 * `text` with the token of the request's `Authorization: Bearer <token>` replaced by `[redacted]`,
 * in the forms a server plausibly echoes it: as is (also inside `Bearer <token>`), URL-encoded
 * (percent escapes in either case), and base64 or base64url of the token or of any text that
 * contains it (such as the whole header). Applied to every text a response puts into an error,
 * whichever step set the header.
 */
export function redactToken(text: string, headers: Readonly<Record<string, string>>): string {
  const secret = headers.Authorization?.slice('Bearer '.length);
  return secret ? text.replace(redactionPattern(secret), '[redacted]') : text;
}

function redactionPattern(secret: string): RegExp {
  const derived = [encodeURIComponent(secret)];
  try {
    // base64 packs 3 bytes into 4 characters, so the token's encoding depends on its offset
    // modulo 3 (`Bearer ` puts it at 7): for each offset, the characters made of its bits alone.
    for (let offset = 0; offset < 3; offset++) {
      const encoded = btoa('\0'.repeat(offset) + secret).slice(
        Math.ceil((offset * 4) / 3),
        Math.floor(((offset + secret.length) * 4) / 3),
      );
      derived.push(encoded, encoded.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  } catch {
    // Not Latin-1: no token a header can carry has a base64 form.
  }
  const forms = [secret, ...derived.filter((form) => form.length >= MIN_DERIVED_LENGTH)];
  // Case-insensitive for percent escapes (%2B, %2b); a case variant of the rest is redacted too.
  return new RegExp(forms.map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi');
}
