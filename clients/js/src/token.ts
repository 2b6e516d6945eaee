/**
 * When a JWT expires, read from its `exp` claim without verifying it (the server verifies; the client only needs
 * to know when to refresh). Undefined for a token that is not a JWT or has no numeric `exp`.
 */
export function tokenExpiresAt(token: string): number | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) {
    return undefined;
  }
  try {
    const base64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    const claims: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    const exp = (claims as { exp?: unknown } | null)?.exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How long to wait before refreshing a token that expires at {@code expiresAt}: {@code before} ahead of expiry, but
 * never later than half-way through a short token's remaining life.
 */
export function refreshDelay(expiresAt: number, now: number, before: number): number {
  const remaining = expiresAt - now;
  return Math.max(0, remaining - Math.min(before, remaining / 2));
}
