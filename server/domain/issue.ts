// Validation results are data (style.md point 3): every rule reports Issues, each with its rule ID,
// field path and its own words (detail); this module renders them the one way the webhook, the CLI
// and the console show them, and reads a rule ID back from such a message.

export type IssueType = "Required" | "Invalid" | "Forbidden" | "NotSupported" | "TooLong" | "Conflict" | "Internal";

export interface Issue {
  /** Rule ID of danm-spec §8–§10 (N-7, T-4, D-3, B-4, ...) or one of ours documented in docs/rules.md. */
  rule: string;
  type: IssueType;
  /** Dotted field path, e.g. spec.Options.vlan or hostDevices[2].vniRange. */
  path: string;
  value?: unknown;
  /** What is wrong and what to do, in words a tenant understands. */
  detail: string;
}

const TYPE_WORDS: Record<IssueType, string> = {
  Required: "Required value",
  Invalid: "Invalid value",
  Forbidden: "Forbidden",
  NotSupported: "Unsupported value",
  TooLong: "Too long",
  Conflict: "Conflict",
  Internal: "Internal error",
};

/** The issue without its path: `Forbidden: vlan is assigned by the cluster; ... (N-23)`. */
export function issueMessage(issue: Issue): string {
  const shown = issue.value === undefined || issue.type === "Forbidden" || issue.type === "Required" ? "" : `${JSON.stringify(issue.value)}: `;
  return `${TYPE_WORDS[issue.type]}: ${shown}${issue.detail} (${issue.rule})`;
}

/**
 * The rule ID at the end of an issue message, as issueMessage writes it (`… (D-3)`). Denials reach
 * the console through the API server, whose status causes carry field, reason and message only, so
 * the message is where the rule travels.
 */
export function ruleOfIssueMessage(message: string | undefined): string | undefined {
  return /\(([A-Z][A-Z0-9]*-[0-9]+)\)$/.exec(message ?? "")?.[1];
}

/** cert-manager style: `spec.Options.vlan: Forbidden: vlan is assigned by the cluster; ... (N-23)`. */
export function formatIssue(issue: Issue): string {
  return `${issue.path}: ${issueMessage(issue)}`;
}

export function formatIssues(issues: Issue[]): string {
  return issues.map(formatIssue).join("; ");
}

export function issue(rule: string, type: IssueType, path: string, detail: string, value?: unknown): Issue {
  return value === undefined ? { rule, type, path, detail } : { rule, type, path, detail, value };
}
