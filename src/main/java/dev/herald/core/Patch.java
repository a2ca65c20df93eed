package dev.herald.core;

import java.util.function.Function;

/**
 * A PATCH field: absent (leave as is) or present with a value that may be null (set to null).
 *
 * @param <T> the field's type
 */
public sealed interface Patch<T> {
  /** The field was not in the request. */
  record Absent<T>() implements Patch<T> {}

  /** The field was in the request; {@code value} may be null. */
  record Present<T>(T value) implements Patch<T> {}

  static <T> Patch<T> absent() {
    return new Absent<>();
  }

  static <T> Patch<T> of(T value) {
    return new Present<>(value);
  }

  /** The new value when present, {@code current} otherwise. */
  default T or(T current) {
    return switch (this) {
      case Absent<T> a -> current;
      case Present<T> p -> p.value();
    };
  }

  default <R> Patch<R> map(Function<T, R> f) {
    return switch (this) {
      case Absent<T> a -> absent();
      case Present<T> p -> of(p.value() == null ? null : f.apply(p.value()));
    };
  }
}
