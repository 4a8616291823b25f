import { LumiCliError } from "../../errors/index.ts";

/** The longest name a generator takes: it ends up in identifiers, paths and SQL names. */
export const MAX_NAME_LENGTH = 24;

const KEBAB = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/**
 * Names a generator refuses: they would shadow the template's own modules
 * under src/app or read as something else in the generated code.
 */
export const RESERVED_GENERATOR_NAMES: readonly string[] = [
  "app",
  "dependencies",
  "gen",
  "platform",
  "routes",
  "rpc-services",
  "service",
  "validation",
];

/** Checks a generator's name: a kebab-case identifier (`orders`, `payment-methods`); throws a usage error. */
export function validateKebabName(name: string, what = "name"): string {
  if (name.length > MAX_NAME_LENGTH) {
    throw new LumiCliError(
      "usage",
      `invalid ${what} "${name}": longer than ${MAX_NAME_LENGTH} characters`,
    );
  }
  if (!KEBAB.test(name)) {
    throw new LumiCliError(
      "usage",
      `invalid ${what} "${name}": use a kebab-case identifier: lower-case letters and digits in words joined by single dashes, starting with a letter (e.g. payment-methods)`,
    );
  }
  if (RESERVED_GENERATOR_NAMES.includes(name)) {
    throw new LumiCliError("usage", `invalid ${what} "${name}": reserved by the template`);
  }
  return name;
}

/** The spellings of a kebab-case name the templates use. */
export interface NameForms {
  /** `payment-methods` */
  readonly kebab: string;
  /** `PaymentMethods` */
  readonly pascal: string;
  /** `paymentMethods` */
  readonly camel: string;
  /** `payment_methods` */
  readonly snake: string;
  /** `PAYMENT_METHODS` */
  readonly constant: string;
}

/** Spells a kebab-case name every way the templates need. */
export function nameForms(kebab: string): NameForms {
  const words = kebab.split("-");
  const pascal = words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join("");
  return {
    kebab,
    pascal,
    camel: pascal.charAt(0).toLowerCase() + pascal.slice(1),
    snake: words.join("_"),
    constant: words.join("_").toUpperCase(),
  };
}

/** The longest ADR title taken. */
export const MAX_TITLE_LENGTH = 100;

/**
 * Checks an ADR title (free text on one line) and returns it trimmed; its
 * slug must not be empty.
 */
export function validateTitle(title: string): string {
  const trimmed = title.trim().replaceAll(/\s+/g, " ");
  if (trimmed === "") throw new LumiCliError("usage", "invalid title: empty");
  if (trimmed.length > MAX_TITLE_LENGTH) {
    throw new LumiCliError("usage", `invalid title: longer than ${MAX_TITLE_LENGTH} characters`);
  }
  if (/\p{Cc}/u.test(trimmed)) {
    throw new LumiCliError("usage", "invalid title: control characters");
  }
  if (slugOf(trimmed) === "") {
    throw new LumiCliError(
      "usage",
      `invalid title "${trimmed}": it needs at least one letter or digit for the file name`,
    );
  }
  return trimmed;
}

/** The kebab-case file-name part of a title: `Use PostgreSQL 17!` → `use-postgresql-17`. */
export function slugOf(title: string): string {
  return title
    .normalize("NFKD")
    .replaceAll(/\p{M}/gu, "")
    .toLowerCase()
    .replaceAll(/[^a-z0-9]+/g, "-")
    .replaceAll(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
}
