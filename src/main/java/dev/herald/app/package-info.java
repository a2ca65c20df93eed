/** Level 4: Svix's Application resource. */
package dev.herald.app;
