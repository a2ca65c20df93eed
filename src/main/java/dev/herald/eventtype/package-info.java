/** Level 4: Svix's Event Type resource, per organisation, keyed and listed by name. */
package dev.herald.eventtype;
