/** Level 2: the delivery queue seam; items are delivery ids, never payloads. */
package dev.herald.queue;
