/**
 * A mistake in how a command was called (a flag, an argument, a folder, a tenant): printed as one
 * line and exit code 2, like the flag parser's own errors and a bad setting.
 */
export class UsageError extends Error {}
