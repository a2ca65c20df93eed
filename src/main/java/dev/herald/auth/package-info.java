/** Level 3: API tokens (HS256 JWT), their verification and issue, and the caller's scope. */
package dev.herald.auth;
