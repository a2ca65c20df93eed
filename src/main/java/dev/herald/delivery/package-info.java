/**
 * Level 4: the delivery ledger: the {@code delivery} and {@code message_attempt} tables and the
 * states a delivery goes through. The database is the truth; queues only carry ids.
 */
package dev.herald.delivery;
