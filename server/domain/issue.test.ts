import { describe, expect, it } from "vitest";
import { formatIssue, issue, issueMessage, ruleOfIssueMessage } from "./issue";

describe("issue messages", () => {
  it("name the type, the detail and the rule; the rule is read back from the message", () => {
    const inUse = issue("D-3", "Forbidden", "metadata.name", "TenantNetwork team-a/blue is in use by Pod team-a/web (interface eth1); delete those Pods first");
    expect(issueMessage(inUse)).toBe("Forbidden: TenantNetwork team-a/blue is in use by Pod team-a/web (interface eth1); delete those Pods first (D-3)");
    expect(ruleOfIssueMessage(issueMessage(inUse))).toBe("D-3");
    expect(ruleOfIssueMessage(formatIssue(issue("N-23", "Invalid", "spec.Options.vlan", "vlan is assigned by the cluster", 5)))).toBe("N-23");
    expect(ruleOfIssueMessage(issueMessage(issue("T-10", "Required", "hostDevices", "at least one")))).toBe("T-10");
  });

  it("a message that does not end with a rule ID has none", () => {
    expect(ruleOfIssueMessage(undefined)).toBeUndefined();
    expect(ruleOfIssueMessage("")).toBeUndefined();
    expect(ruleOfIssueMessage("networks are in use (see D-3) by Pods")).toBeUndefined();
    expect(ruleOfIssueMessage("Forbidden: not allowed (interface eth1)")).toBeUndefined();
  });
});
