package dev.herald.ops;

import static dev.herald.ops.MetricsApiTest.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TelemetryTest {
  @Test
  void process_memory_is_what_the_status_file_says_at_each_scrape(@TempDir Path dir)
      throws Exception {
    Path status = dir.resolve("status");
    Files.writeString(status, "VmSize:\t 4000 kB\nVmHWM:\t 3000 kB\nVmRSS:\t 2000 kB\n");
    try (Telemetry t = new Telemetry("1.2.3", status, () -> "", System::nanoTime)) {
      String first = t.scrape();
      assertThat(value(first, "process_resident_memory_bytes")).hasValue(2000 * 1024);
      assertThat(value(first, "process_resident_memory_peak_bytes")).hasValue(3000 * 1024);
      assertThat(value(first, "process_virtual_memory_bytes")).hasValue(4000 * 1024);
      assertThat(value(first, "herald_info{version=\"1.2.3\"}")).hasValue(1);

      Files.writeString(status, "VmSize:\t 4000 kB\nVmHWM:\t 3000 kB\nVmRSS:\t 2500 kB\n");
      assertThat(value(t.scrape(), "process_resident_memory_bytes")).hasValue(2500 * 1024);
    }
  }

  @Test
  void without_proc_there_is_no_process_memory_rather_than_a_made_up_one(@TempDir Path dir) {
    try (Telemetry t = new Telemetry("dev", dir.resolve("absent"), () -> "", System::nanoTime)) {
      assertThat(t.scrape())
          .doesNotContain("process_resident_memory")
          .doesNotContain("process_virtual_memory")
          .contains("jvm_memory_used_bytes");
    }
  }

  @Test
  void native_memory_categories_are_exposed_when_tracked(@TempDir Path dir) throws Exception {
    String sample = NativeMemoryTest.sample();
    try (Telemetry t =
        new Telemetry("dev", dir.resolve("absent"), () -> sample, System::nanoTime)) {
      String body = t.scrape();

      assertThat(t.nativeMemoryTracked()).isTrue();
      assertThat(value(body, "jvm_native_memory_committed_bytes{category=\"total\"}"))
          .hasValue(487237L * 1024);
      assertThat(value(body, "jvm_native_memory_reserved_bytes{category=\"java_heap\"}"))
          .hasValue(6172672L * 1024);
      assertThat(value(body, "jvm_native_memory_committed_bytes{category=\"thread\"}"))
          .hasValue(778L * 1024);
    }
  }
}
