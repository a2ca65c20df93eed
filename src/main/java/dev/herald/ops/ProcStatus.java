package dev.herald.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The memory lines of Linux's {@code /proc/<pid>/status}: each {@code Name: <n> kB} line, in bytes.
 * This is the kernel's own account of the process ({@code VmRSS} is what the OOM killer and a
 * container's limit see), so Herald reports it as read, never estimated.
 */
record ProcStatus(Map<String, Long> bytes) {
  /** Where this process's status lives on Linux. */
  static final Path SELF = Path.of("/proc/self/status");

  /** Resident set size now. */
  static final String RSS = "VmRSS";

  /** Peak resident set size ("high water mark"). */
  static final String RSS_PEAK = "VmHWM";

  /** Virtual memory size now. */
  static final String VIRTUAL = "VmSize";

  ProcStatus {
    bytes = Map.copyOf(bytes);
  }

  /** The value of {@code field} in bytes, when the file has it. */
  OptionalLong get(String field) {
    Long value = bytes.get(field);
    return value == null ? OptionalLong.empty() : OptionalLong.of(value);
  }

  /** Parses the text of a status file; lines that are not {@code Name: <n> kB} are skipped. */
  static ProcStatus parse(String text) {
    Map<String, Long> out = new HashMap<>();
    for (String line : text.split("\n")) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String[] value = line.substring(colon + 1).trim().split("\\s+");
      if (value.length == 2 && value[1].equalsIgnoreCase("kB") && isDigits(value[0])) {
        out.put(line.substring(0, colon), Long.parseLong(value[0]) * 1024);
      }
    }
    return new ProcStatus(out);
  }

  /** Reads and parses {@code file}; empty when it cannot be read (no /proc on this system). */
  static ProcStatus read(Path file) {
    try {
      // Latin-1 decodes any bytes; the Name line may hold a non-ASCII process name.
      return parse(Files.readString(file, StandardCharsets.ISO_8859_1));
    } catch (IOException | RuntimeException e) {
      return new ProcStatus(Map.of());
    }
  }

  private static boolean isDigits(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
