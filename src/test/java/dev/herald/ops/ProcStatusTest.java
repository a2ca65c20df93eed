package dev.herald.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcStatusTest {
  /** The head of a real /proc/<pid>/status (Linux 6), with a non-ASCII process name. */
  static final String SAMPLE =
      """
      Name:\tjävä
      Umask:\t0022
      State:\tS (sleeping)
      Tgid:\t19879
      Uid:\t0\t0\t0\t0
      Groups:\t\s
      VmPeak:\t 3300000 kB
      VmSize:\t 3060123 kB
      VmLck:\t       0 kB
      VmHWM:\t  254000 kB
      VmRSS:\t  201764 kB
      RssAnon:\t  112 kB
      Threads:\t31
      voluntary_ctxt_switches:\t150
      """;

  @Test
  void memory_lines_are_read_in_bytes() {
    ProcStatus status = ProcStatus.parse(SAMPLE);

    assertThat(status.get(ProcStatus.RSS)).hasValue(201_764L * 1024);
    assertThat(status.get(ProcStatus.RSS_PEAK)).hasValue(254_000L * 1024);
    assertThat(status.get(ProcStatus.VIRTUAL)).hasValue(3_060_123L * 1024);
    assertThat(status.get("VmLck")).hasValue(0L);
  }

  @Test
  void lines_without_a_kb_amount_are_skipped() {
    ProcStatus status = ProcStatus.parse(SAMPLE);

    assertThat(status.bytes()).doesNotContainKeys("Name", "Umask", "Tgid", "Uid", "Threads");
    assertThat(ProcStatus.parse("VmRSS:\t12x kB\nVmSize: 9 MB\n:1 kB\n").bytes()).isEmpty();
  }

  @Test
  void a_missing_file_reads_as_empty_not_as_zero(@TempDir Path dir) throws Exception {
    assertThat(ProcStatus.read(dir.resolve("absent")).get(ProcStatus.RSS)).isEmpty();

    Path file = dir.resolve("status");
    Files.write(file, SAMPLE.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(ProcStatus.read(file).get(ProcStatus.RSS)).hasValue(201_764L * 1024);
  }
}
