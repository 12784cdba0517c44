/**
 * Who is calling, resolved from the API key or browser session token (then `keyId` is the
 * session's id: a session has exactly the reach of a key for the same candidate or employer).
 * Every query is scoped by it.
 */
export type Principal =
  | { role: 'platform' }
  | { role: 'admin'; workspaceId: string; keyId: string }
  | { role: 'employer'; workspaceId: string; keyId: string; employerId: string }
  | { role: 'candidate'; workspaceId: string; keyId: string; candidateId: string };

export type Role = Principal['role'];
export type WorkspacePrincipal = Exclude<Principal, { role: 'platform' }>;
