/**
 * Level 2: the database seam ({@link dev.herald.store.Store}), its SQLite and PostgreSQL
 * implementations and the Flyway migrations. Table SQL lives with the feature that owns the table.
 */
package dev.herald.store;
