-- A candidate's contact is read by its candidate only, and goes with the candidate when the workspace
-- goes (its own key to the workspace was dropped in 0010): this index served no statement, and cost
-- every new candidate an index write. The release before, running beside this one during a rolling
-- upgrade (docs/operations.md#upgrades), never reads by it either.
DROP INDEX "candidate_contacts_workspace_id_idx";
