// Who may use the hub: people (argon2id passwords, sessions), partner systems (API tokens), and
// the Actor each of them acts as. Shared by the HTTP layer and the CLI (`user add`, `token create`);
// it knows nothing of HTTP. Business rules about documents stay in the registry.
export {
  createUser,
  listUsers,
  findUser,
  setUserDisabled,
  changePassword,
  resetPassword,
  updateUser,
  USER_ROLES,
  USERNAME_PATTERN,
  type UserRole,
  type UserView,
  type NewUser,
  type CreateUserOutcome,
  type ChangePasswordOutcome,
  type ResetPasswordOutcome,
  type UpdateUserOutcome,
  type UserChanges,
} from './user-accounts.ts';
export {
  createApiToken,
  listApiTokens,
  revokeApiToken,
  authenticateApiToken,
  apiTokenStillActive,
  type ApiTokenView,
  type CreateTokenOutcome,
} from './api-tokens.ts';
export {
  signIn,
  signOut,
  resolveSession,
  sessionStillActive,
  sessionEndKey,
  SESSION_LIFETIME_MS,
  type SignInOutcome,
  type SignedIn,
  type ActiveSession,
} from './sessions.ts';
export {
  LoginThrottle,
  DEFAULT_LOGIN_THROTTLE,
  type LoginThrottleOptions,
  type ThrottleVerdict,
} from './login-throttle.ts';
export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password-hash.ts';
export { constantTimeEquals } from './secret-token.ts';
export { ensureFirstAdmin, FIRST_ADMIN_USERNAME } from './first-admin.ts';
export {
  installAgencySigningKey,
  type SigningKeyDeps,
  type SigningKeyOutcome,
} from './agency-signing-key.ts';
export {
  issueBrokerCredentials,
  type BrokerCredentialsDeps,
  type BrokerCredentialsOutcome,
} from './broker-credentials.ts';
