/** The kinds of failure the CLI knows; anything else is a bug. */
export const CliErrorType = {
  /** The command line is wrong: unknown flag, bad value, missing answer. Exit 2. */
  usage: "usage",
  /** The target directory or service is not in a state the command accepts. Exit 1. */
  state: "state",
  /** A merge left conflicts, a check failed, drift was found. Exit 1. */
  failed: "failed",
  /** An external tool (git, buf, npm) failed. Exit 1. */
  tool: "tool",
  /** The user interrupted the command. Exit 130. */
  interrupted: "interrupted",
} as const;

/** One of {@link CliErrorType}. */
export type CliErrorType = (typeof CliErrorType)[keyof typeof CliErrorType];

/** A known failure: printed as one line, with the exit code its type implies. */
export class LumiCliError extends Error {
  override readonly name = "LumiCliError";
  readonly type: CliErrorType;
  /** Extra lines printed after the message (a diff, a list of conflicts). */
  readonly details: readonly string[];

  constructor(
    type: CliErrorType,
    message: string,
    options: { cause?: unknown; details?: readonly string[] } = {},
  ) {
    super(message, { cause: options.cause });
    this.type = type;
    this.details = options.details ?? [];
  }
}

/** The process exit code for an error of the given type. */
export function exitCodeFor(type: CliErrorType): number {
  switch (type) {
    case "usage":
      return 2;
    case "interrupted":
      return 130;
    default:
      return 1;
  }
}
