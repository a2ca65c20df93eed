package dev.herald.web;

import java.util.List;

/** Svix's list envelope. */
public record ListResponse<T>(List<T> data, String iterator, String prevIterator, boolean done) {}
