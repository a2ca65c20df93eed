package dev.herald.config;

/** A bad setting: the message is one line that names the setting and the value. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
