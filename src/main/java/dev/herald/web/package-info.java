/**
 * Level 3: the HTTP API's assembly (Javalin), bounded body and JSON reading, validation, the one
 * error mapper, pagination and idempotency.
 */
package dev.herald.web;
