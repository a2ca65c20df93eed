/** Level 7: health, metrics and the OpenAPI document; reads only. */
package dev.herald.ops;
