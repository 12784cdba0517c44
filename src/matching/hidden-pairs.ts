/**
 * Which employers each candidate hides from, and the reverse, per workspace: the match index
 * leaves those pairs out of every listing and pair check (docs/matching.md#candidate-privacy).
 * Only candidates who hide from someone have an entry.
 */
export class HiddenPairs {
  private readonly workspaces = new Map<
    string,
    { byCandidate: Map<string, ReadonlySet<string>>; byEmployer: Map<string, Set<string>> }
  >();

  /** Replaces what the candidate hides from (nothing: undefined or empty). */
  set(workspaceId: string, candidateId: string, employerIds: readonly string[] | undefined): void {
    const known = this.workspaces.get(workspaceId);
    const before = known?.byCandidate.get(candidateId);
    if (!before && !employerIds?.length) return;
    const workspace = known ?? { byCandidate: new Map(), byEmployer: new Map() };
    this.workspaces.set(workspaceId, workspace);
    for (const employerId of before ?? []) {
      const hiders = workspace.byEmployer.get(employerId);
      hiders?.delete(candidateId);
      if (hiders?.size === 0) workspace.byEmployer.delete(employerId);
    }
    if (!employerIds?.length) {
      workspace.byCandidate.delete(candidateId);
      if (workspace.byCandidate.size === 0) this.workspaces.delete(workspaceId);
      return;
    }
    workspace.byCandidate.set(candidateId, new Set(employerIds));
    for (const employerId of employerIds) {
      const hiders = workspace.byEmployer.get(employerId) ?? new Set<string>();
      hiders.add(candidateId);
      workspace.byEmployer.set(employerId, hiders);
    }
  }

  /** The employers the candidate hides from, if any. */
  employersHiddenBy(workspaceId: string, candidateId: string): ReadonlySet<string> | undefined {
    return this.workspaces.get(workspaceId)?.byCandidate.get(candidateId);
  }

  /** The candidates hiding from the employer, if any. */
  candidatesHidingFrom(workspaceId: string, employerId: string): ReadonlySet<string> | undefined {
    return this.workspaces.get(workspaceId)?.byEmployer.get(employerId);
  }

  hides(workspaceId: string, candidateId: string, employerId: string | undefined): boolean {
    return employerId !== undefined && !!this.employersHiddenBy(workspaceId, candidateId)?.has(employerId);
  }
}
