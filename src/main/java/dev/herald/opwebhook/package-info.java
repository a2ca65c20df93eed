/**
 * Level 7: operational webhooks. Each organisation's events ({@code endpoint.*}, {@code
 * message.attempt.*}) are messages of a hidden application of that organisation, delivered by
 * Herald's own engine to the endpoints managed under {@code /api/v1/operational-webhook/endpoint}.
 */
package dev.herald.opwebhook;
