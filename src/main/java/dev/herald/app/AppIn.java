package dev.herald.app;

import dev.herald.core.Patch;
import dev.herald.web.Input;
import java.util.Map;

/** Svix's {@code ApplicationIn}. */
public record AppIn(String name, String uid, Integer rateLimit, Map<String, String> metadata) {
  /** Largest {@code throttleRate}: Svix's uint16. */
  static final int MAX_RATE = 65_535;

  /** Reads an {@code ApplicationIn} from {@code in}; errors are collected in {@code in}. */
  public static AppIn read(Input in) {
    String name = in.requiredString("name", Input.Str.NON_EMPTY);
    String uid = in.optionalString("uid", Input.Str.idLike(256));
    Integer rate = in.optionalInt("throttleRate", 1, MAX_RATE);
    if (rate == null) {
      rate = in.optionalInt("rateLimit", 1, MAX_RATE);
    }
    return new AppIn(name, uid, rate, in.stringMap("metadata"));
  }

  /** Svix's {@code ApplicationPatch}. */
  record PatchIn(
      Patch<String> name,
      Patch<String> uid,
      Patch<Integer> rateLimit,
      Patch<Map<String, String>> metadata) {

    static PatchIn read(Input in) {
      Patch<Integer> rate = in.patchInt("throttleRate", 0, MAX_RATE);
      if (rate instanceof Patch.Absent<Integer>) {
        rate = in.patchInt("rateLimit", 0, MAX_RATE);
      }
      return new PatchIn(
          in.patchString("name", Input.Str.NON_EMPTY, false),
          in.patchString("uid", Input.Str.idLike(256), true),
          rate,
          in.patchStringMap("metadata"));
    }
  }
}
