/**
 * Whether the CLI may ask questions: both stdin and stdout are terminals,
 * CI is not set, and --yes was not given. Otherwise a missing required answer
 * is a usage error, never a prompt that hangs.
 */
export function canPrompt(
  yes: boolean | undefined,
  env: NodeJS.ProcessEnv = process.env,
  tty: { stdin: boolean; stdout: boolean } = {
    stdin: process.stdin.isTTY === true,
    stdout: process.stdout.isTTY === true,
  },
): boolean {
  if (yes === true) return false;
  if (env.CI !== undefined && env.CI !== "" && env.CI !== "false" && env.CI !== "0") return false;
  return tty.stdin && tty.stdout;
}
