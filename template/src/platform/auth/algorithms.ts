// Dependency-free on purpose: the configuration module imports this file
// directly to validate AUTH_ALGORITHMS without loading jose.

/** The signature algorithms a verifier may accept: asymmetric ones only, never HS* or none. */
export const asymmetricAlgorithms: readonly string[] = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

/** The algorithms accepted by default: every asymmetric one but the `Ed25519` alias. */
export const defaultAlgorithms: readonly string[] = asymmetricAlgorithms.filter(
  (alg) => alg !== "Ed25519",
);
