/**
 * The one Content-Security-Policy of the UI, in Electron (protocol handler) and browser mode
 * (HTTP header) alike. No inline scripts or styles: PatternFly ships plain CSS files.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
