/**
 * Who is calling, as established from a verified token. Application principals carry the
 * application permissions of the token's `roles`; delegated principals (a user signed in through
 * an application) carry the `scp` permissions. Nothing else about the token reaches the domain.
 */
export interface ApplicationPrincipal {
  readonly kind: 'application';
  readonly tenantId: string;
  readonly appId: string;
  readonly roles: ReadonlySet<string>;
  /** Token expiry, seconds since the epoch. */
  readonly expiresAt: number;
}

export interface DelegatedPrincipal {
  readonly kind: 'delegated';
  readonly tenantId: string;
  readonly appId: string;
  readonly userId: string;
  readonly userPrincipalName: string | null;
  readonly scopes: ReadonlySet<string>;
  readonly expiresAt: number;
}

export type Principal = ApplicationPrincipal | DelegatedPrincipal;
