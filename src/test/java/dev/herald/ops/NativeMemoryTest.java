package dev.herald.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {
  /** Captured with {@code java -XX:NativeMemoryTracking=summary} on Temurin 25. */
  static String sample() throws IOException {
    try (InputStream in = NativeMemoryTest.class.getResourceAsStream("nmt-summary-jdk25.txt")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static final String OFF = "Native memory tracking is not enabled\n";

  @Test
  void summary_gives_the_total_and_every_category_in_bytes() throws IOException {
    List<NativeMemory.Usage> usage = NativeMemory.parse(sample());

    assertThat(usage.get(0))
        .isEqualTo(new NativeMemory.Usage("total", 7741857L << 10, 487237L << 10));
    assertThat(usage)
        .contains(
            new NativeMemory.Usage("java_heap", 6172672L << 10, 393216L << 10),
            new NativeMemory.Usage("class", 1048800L << 10, 1760L << 10),
            new NativeMemory.Usage("thread", 18490L << 10, 778L << 10),
            new NativeMemory.Usage("native_memory_tracking", 934L << 10, 934L << 10),
            new NativeMemory.Usage("shared_class_space", 16384L << 10, 13908L << 10),
            new NativeMemory.Usage("object_monitors", 1L << 10, 1L << 10));
    assertThat(usage).hasSize(21);
    // The detail lines ("(mmap: reserved=...)", "(  Metadata:   )") are not categories.
    assertThat(usage).extracting(NativeMemory.Usage::category).doesNotContain("mmap", "metadata");
  }

  @Test
  void other_scales_are_converted_to_bytes() {
    String text =
        """
        Total: reserved=2GB, committed=300MB
        -                 Java Heap (reserved=1GB, committed=256MB)
        """;
    assertThat(NativeMemory.parse(text))
        .containsExactly(
            new NativeMemory.Usage("total", 2L << 30, 300L << 20),
            new NativeMemory.Usage("java_heap", 1L << 30, 256L << 20));
  }

  @Test
  void tracking_off_parses_as_nothing_and_registers_no_gauge() {
    assertThat(NativeMemory.parse(OFF)).isEmpty();
    assertThat(NativeMemory.parse("")).isEmpty();

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    NativeMemory nmt = NativeMemory.bindTo(registry, () -> OFF, System::nanoTime);
    nmt.refresh();

    assertThat(nmt.enabled()).isFalse();
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void a_report_serves_scrapes_for_max_age_then_is_taken_again() throws IOException {
    String sample = sample();
    AtomicInteger asked = new AtomicInteger();
    AtomicLong now = new AtomicLong(1_000);
    LongSupplier clock = now::get;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    NativeMemory nmt =
        NativeMemory.bindTo(
            registry,
            () ->
                asked.incrementAndGet() == 1
                    ? sample
                    : "Total: reserved=10KB, committed=4KB\n- Java Heap (reserved=8KB, committed=2KB)\n",
            clock);
    assertThat(committed(registry, "total")).isEqualTo(487237L << 10);

    now.addAndGet(NativeMemory.MAX_AGE.toNanos() - 1);
    nmt.refresh();
    assertThat(asked).hasValue(1);
    assertThat(committed(registry, "java_heap")).isEqualTo(393216L << 10);

    now.addAndGet(1);
    nmt.refresh();
    assertThat(asked).hasValue(2);
    assertThat(committed(registry, "total")).isEqualTo(4L << 10);
    assertThat(committed(registry, "java_heap")).isEqualTo(2L << 10);
    // Categories missing from the new report are gone, not frozen at their old value.
    assertThat(registry.find("jvm.native.memory.committed").tag("category", "class").gauge())
        .isNull();
    assertThat(registry.find("jvm.native.memory.reserved").gauges()).hasSize(2);
  }

  private static double committed(SimpleMeterRegistry registry, String category) {
    Gauge g = registry.get("jvm.native.memory.committed").tag("category", category).gauge();
    return g.value();
  }
}
