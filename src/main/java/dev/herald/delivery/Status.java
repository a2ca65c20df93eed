package dev.herald.delivery;

/** Svix's {@code MessageStatus}, for deliveries and attempts: the number is the wire value. */
public enum Status {
  SUCCESS(0),
  PENDING(1),
  FAIL(2),
  SENDING(3);

  private final int code;

  Status(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static Status of(int code) {
    for (Status s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    throw new IllegalArgumentException("no status " + code);
  }
}
