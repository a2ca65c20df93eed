/** Level 0: ids, errors and small value types used everywhere. Imports the JDK only. */
package dev.herald.core;
