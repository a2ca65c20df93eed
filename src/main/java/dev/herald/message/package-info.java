/**
 * Level 5: Svix's Message resource. Accepting a message stores it in one transaction; the payload
 * is kept as the exact JSON text that will be signed and sent.
 */
package dev.herald.message;
