package dev.herald.store;

/** A database failure that is not the caller's fault: answered as a 500 and logged. */
public final class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
