// Reads a Dockerfile with dockerfile-ast and lints it for the mistakes hadolint catches most
// often (no Docker engine or hadolint runs on the project's machines; hadolint runs in GitHub
// Actions through the image build). Used by dockerfile.test.ts and helm.test.ts.
import { type Dockerfile, DockerfileParser, From, type Instruction } from "dockerfile-ast";

/** One build stage: its FROM and the instructions after it. */
export interface Stage {
  name: string | undefined;
  /** The image reference as written (variables unexpanded). */
  image: string;
  instructions: Instruction[];
}

/** One lint finding: a rule id, the line (1-based) and what is wrong. */
export interface Finding {
  rule: string;
  line: number;
  message: string;
}

/** Parses Dockerfile text. */
export function parseDockerfile(text: string): Dockerfile {
  return DockerfileParser.parse(text);
}

/** Splits the instructions into stages, each starting at its FROM. */
export function stagesOf(dockerfile: Dockerfile): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction instanceof From) {
      stages.push({
        name: instruction.getBuildStage() ?? undefined,
        image: instruction.getImage() ?? "",
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** The 1-based line an instruction starts on. */
export function lineOf(instruction: Instruction): number {
  return instruction.getRange().start.line + 1;
}

/** The flags of an instruction as name → value (value "" for a bare flag). */
export function flagsOf(instruction: Instruction): Map<string, string> {
  const flags =
    (
      instruction as { getFlags?: () => { getName(): string; getValue(): string | null }[] }
    ).getFlags?.() ?? [];
  return new Map(flags.map((flag) => [flag.getName(), flag.getValue() ?? ""]));
}

/** KEY=value pairs of an ENV, LABEL or ARG instruction. */
export function propertiesOf(instruction: Instruction): Map<string, string> {
  const properties = (
    instruction as { getProperties?: () => { getName(): string; getValue(): string | null }[] }
  ).getProperties?.();
  if (properties) return new Map(properties.map((p) => [p.getName(), p.getValue() ?? ""]));
  // ARG NAME=default
  const [name, ...rest] = (instruction.getArgumentsContent() ?? "").split("=");
  return new Map([[name ?? "", rest.join("=")]]);
}

/** The JSON array of an exec-form ENTRYPOINT, CMD or HEALTHCHECK, or undefined in shell form. */
export function execFormOf(instruction: Instruction): string[] | undefined {
  const strings = (
    instruction as { getJSONStrings?: () => { getJSONValue(): string }[] }
  ).getJSONStrings?.();
  const raw = (instruction.getArgumentsContent() ?? "").trim();
  if (!strings || !raw.startsWith("[")) return undefined;
  return strings.map((s) => s.getJSONValue());
}

/** A reference pinned to a digest or an exact version tag (x.y.z, optionally with a suffix). */
export function isPinned(image: string): boolean {
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return true;
  const tag = /^[^@]+:([^:/@]+)$/.exec(image)?.[1];
  return tag !== undefined && /^v?\d+\.\d+\.\d+(-[\w.-]+)?$/.test(tag);
}

const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

/**
 * Lints a Dockerfile: hadolint's most common rules (ids in the DL numbering where one exists)
 * plus the rules of this project's images. Returns every finding.
 */
export function lintDockerfile(text: string): Finding[] {
  const dockerfile = parseDockerfile(text);
  const stages = stagesOf(dockerfile);
  const stageNames = new Set(stages.map((stage) => stage.name).filter(Boolean));
  const findings: Finding[] = [];
  const add = (rule: string, instruction: Instruction, message: string) =>
    findings.push({ rule, line: lineOf(instruction), message });

  for (const from of dockerfile.getFROMs()) {
    const image = from.getImage() ?? "";
    const line = from.getRange().start.line + 1;
    if (stageNames.has(image)) continue;
    if (/:latest(@|$)/.test(image) || !/[:@]/.test(image)) {
      findings.push({ rule: "DL3007", line, message: `${image}: never latest or untagged` });
    } else if (!isPinned(image)) {
      findings.push({ rule: "pinned-base", line, message: `${image}: pin a digest or x.y.z tag` });
    }
  }

  let workdirSet = false;
  for (const [index, stage] of stages.entries()) {
    const final = index === stages.length - 1;
    workdirSet = false;
    for (const instruction of stage.instructions) {
      const keyword = instruction.getKeyword();
      const args = instruction.getArgumentsContent() ?? "";
      if (keyword === "MAINTAINER")
        add("DL4000", instruction, "MAINTAINER is deprecated; use a label");
      if (keyword === "WORKDIR") {
        if (!args.startsWith("/") && !args.startsWith("$")) {
          add("DL3000", instruction, "use an absolute WORKDIR");
        }
        workdirSet = true;
      }
      if (keyword === "ADD") {
        if (/\bhttps?:\/\//.test(args))
          add("DL3020", instruction, "ADD of a URL; download in a RUN and verify a checksum");
        else add("DL3020", instruction, "use COPY instead of ADD for files");
      }
      if (keyword === "COPY") {
        const flags = flagsOf(instruction);
        const from = flags.get("from");
        if (from !== undefined && !stageNames.has(from) && !/[:@/]/.test(from)) {
          add("DL3022", instruction, `COPY --from=${from} names no earlier stage`);
        }
        const destination = args.split(/\s+/).at(-1) ?? "";
        if (!destination.startsWith("/") && !workdirSet) {
          add("DL3045", instruction, "COPY to a relative path without a WORKDIR");
        }
        if (final && !flags.has("chown")) {
          add(
            "copy-chown",
            instruction,
            "COPY into the runtime stage needs --chown (explicit owner)",
          );
        }
      }
      if (keyword === "RUN") {
        if (/\bapt(-get)?\s+(upgrade|dist-upgrade)\b/.test(args))
          add("DL3005", instruction, "no apt-get upgrade: update the base image");
        if (/\bapt-get\s+install\b/.test(args) && !/--no-install-recommends/.test(args)) {
          add("DL3015", instruction, "apt-get install without --no-install-recommends");
        }
        if (/\bapt-get\s+install\b/.test(args) && !/rm -rf \/var\/lib\/apt\/lists/.test(args)) {
          add("DL3009", instruction, "apt lists left in the layer (rm -rf /var/lib/apt/lists/*)");
        }
        if (/\bsudo\b/.test(args)) add("DL3004", instruction, "no sudo in RUN");
        if (/(^|&&|;)\s*cd\s/.test(args)) add("DL3003", instruction, "use WORKDIR instead of cd");
        if (/\b(curl|wget)\b[^|]*\|\s*(ba|z)?sh\b/.test(args))
          add("DL4006", instruction, "no piping downloads into a shell");
        if (/\bnpm\s+(install|i)\b/.test(args))
          add("DL3016", instruction, "use npm ci: install exactly the lock file");
      }
      if (keyword === "ENV" || keyword === "ARG") {
        for (const name of propertiesOf(instruction).keys()) {
          if (SECRET_NAME.test(name))
            add("no-secret-env", instruction, `${keyword} ${name}: secrets never go in the image`);
        }
      }
      if (
        (keyword === "ENTRYPOINT" || keyword === "CMD") &&
        execFormOf(instruction) === undefined
      ) {
        add("DL3025", instruction, `${keyword} in shell form: use the JSON (exec) form`);
      }
    }
  }

  const final = stages.at(-1);
  const users = final?.instructions.filter((i) => i.getKeyword() === "USER") ?? [];
  const user = users.at(-1)?.getArgumentsContent()?.split(":")[0];
  if (user === undefined || user === "root" || user === "0") {
    findings.push({
      rule: "DL3002",
      line: users.at(-1) ? lineOf(users.at(-1) as Instruction) : 1,
      message: "the runtime stage must end with a non-root USER",
    });
  } else if (!/^\d+$/.test(user)) {
    findings.push({
      rule: "numeric-user",
      line: lineOf(users.at(-1) as Instruction),
      message: "USER must be numeric so that Kubernetes can verify runAsNonRoot",
    });
  }
  return findings;
}
