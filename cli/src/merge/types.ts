/** What one 3-way merge of a file needs: its path and its three versions. */
export interface MergeInput {
  /** The file's path relative to the service root; `mergeFile` picks the strategy by its name. */
  readonly path: string;
  /** The pristine render of the old template version (the merge base). */
  readonly base: string;
  /** The file in the service now, with the team's local edits. */
  readonly ours: string;
  /** The pristine render of the new template version. */
  readonly theirs: string;
  /** Label of theirs in conflict markers, e.g. "template 0.0.3"; "template" when absent. */
  readonly theirsLabel?: string;
}

/** One conflict left in a merged file, between its `<<<<<<<` and `>>>>>>>` marker lines. */
export interface MergeConflict {
  /** 1-based line of the `<<<<<<< local` marker in the merged content. */
  readonly startLine: number;
  /** 1-based line of the `>>>>>>> …` marker in the merged content. */
  readonly endLine: number;
  /** e.g. a JSON/YAML key path like "dependencies.express", or undefined for text */
  readonly key?: string;
}

/** How a file was merged: line by line, or key by key as JSON or YAML. */
export type MergeStrategy = "text" | "json" | "yaml";

/** The outcome of a merge: the new content of the file and the conflicts left in it. */
export interface MergeResult {
  readonly content: string;
  readonly conflicts: readonly MergeConflict[];
  /** true when content === ours (nothing to do) */
  readonly unchanged: boolean;
  readonly strategy: MergeStrategy;
}
