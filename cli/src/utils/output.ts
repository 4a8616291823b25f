import { styleText } from "node:util";

/** How a command reports: logs on stderr, the result on stdout (JSON with --json). */
export interface Output {
  readonly json: boolean;
  readonly color: boolean;
  /** A progress or information line, on stderr. */
  info(message: string): void;
  /** A warning line, on stderr. */
  warn(message: string): void;
  /** The human result, on stdout; ignored with --json. */
  text(message: string): void;
  /** The machine result, on stdout, only with --json. */
  result(value: unknown): void;
  /** Colours text when colour is on. */
  style(format: Parameters<typeof styleText>[0], text: string): string;
}

/** Options every command takes. */
export interface GlobalOptions {
  readonly json?: boolean;
  /** False with --no-color. */
  readonly color?: boolean;
}

/** Whether colour is wanted: --no-color and NO_COLOR win, FORCE_COLOR forces, else a TTY stderr. */
export function colorWanted(
  flag: boolean | undefined,
  env: NodeJS.ProcessEnv = process.env,
  isTty: boolean = process.stderr.isTTY === true,
): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return isTty;
}

/** Creates the output of one command run. */
export function createOutput(
  options: GlobalOptions,
  streams: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process,
): Output {
  const json = options.json === true;
  const color = colorWanted(options.color);
  const style = (format: Parameters<typeof styleText>[0], text: string): string =>
    color ? styleText(format, text, { validateStream: false }) : text;
  return {
    json,
    color,
    info: (message) => streams.stderr.write(`${message}\n`),
    warn: (message) => streams.stderr.write(`${style("yellow", "warning:")} ${message}\n`),
    text: (message) => {
      if (!json) streams.stdout.write(`${message}\n`);
    },
    result: (value) => {
      if (json) streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    style,
  };
}
