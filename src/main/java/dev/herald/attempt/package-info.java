/**
 * Level 6: the attempt log API. Reads the delivery ledger (attempts, the latest delivery of each
 * message to each endpoint) and starts new deliveries through it: resend, recover, replay and
 * send-example.
 */
package dev.herald.attempt;
