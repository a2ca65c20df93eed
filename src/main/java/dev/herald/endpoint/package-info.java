/**
 * Level 4: Svix's Endpoint resource: endpoints, their headers and signing secrets (with rotation).
 * Other features use {@link dev.herald.endpoint.EndpointService#matching} to find the endpoints a
 * message goes to, and {@link dev.herald.endpoint.EndpointService#signingKeys} to sign it.
 */
package dev.herald.endpoint;
