/** Level 1: the configuration tree, its loader and its validation. */
package dev.herald.config;
