/** Template releases, oldest first (the dated sections of CHANGELOG.md; a test keeps them equal). */
export const releases: readonly string[] = ["0.0.1", "0.0.2"];
