/** Who is calling, resolved from the API key. Every query is scoped by it. */
export type Principal =
  | { role: 'platform' }
  | { role: 'admin'; workspaceId: string; keyId: string }
  | { role: 'employer'; workspaceId: string; keyId: string; employerId: string }
  | { role: 'candidate'; workspaceId: string; keyId: string; candidateId: string };

export type Role = Principal['role'];
export type WorkspacePrincipal = Exclude<Principal, { role: 'platform' }>;
