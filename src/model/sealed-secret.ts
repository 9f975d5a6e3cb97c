/** Which secret a row is: bound into both ciphertexts as AAD, so rows cannot be swapped or renumbered. */
export interface SecretIdentity {
  project: string;
  environment: string;
  name: string;
  version: number;
}

/** The data key wrapped under a master key. */
export interface WrappedKey {
  wrappedKey: Buffer;
  keyIv: Buffer;
  keyTag: Buffer;
  masterKeyId: string;
}

/** What the store keeps of a secret value: only ciphertext. */
export interface SealedSecret extends WrappedKey {
  ciphertext: Buffer;
  iv: Buffer;
  tag: Buffer;
}
