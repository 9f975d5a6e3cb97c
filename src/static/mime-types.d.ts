// mime-types ships no types; these are the two functions Slipway calls (see its README).
declare module 'mime-types' {
  /** The MIME type for a path or extension, or false when unknown. */
  export function lookup(pathOrExtension: string): string | false;
  /** A full Content-Type (charset added for text types) for a type, path or extension, or false. */
  export function contentType(typeOrExtension: string): string | false;
}
