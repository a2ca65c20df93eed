package dev.herald.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class SsrfGuardTest {
  static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void private_loopback_link_local_cgnat_and_metadata_are_refused() throws Exception {
    SsrfGuard guard = new SsrfGuard(List.of());
    for (String a :
        List.of(
            "127.0.0.1",
            "10.1.2.3",
            "172.20.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254")) {
      assertThat(guard.refusal(ip(a))).as(a).isNotNull();
    }
  }

  @Test
  void public_addresses_pass() throws Exception {
    SsrfGuard guard = new SsrfGuard(List.of());
    for (String a : List.of("93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "100.128.0.1")) {
      assertThat(guard.refusal(ip(a))).as(a).isNull();
    }
  }

  @Test
  void whitelisted_subnets_pass() throws Exception {
    SsrfGuard guard = new SsrfGuard(List.of("127.0.0.0/8", "10.5.0.0/16"));
    assertThat(guard.refusal(ip("127.0.0.1"))).isNull();
    assertThat(guard.refusal(ip("::ffff:127.0.0.1"))).isNull();
    assertThat(guard.refusal(ip("10.5.9.9"))).isNull();
    assertThat(guard.refusal(ip("10.6.0.1"))).isNotNull();
    assertThat(guard.refusal(ip("::1"))).isNotNull();
  }
}
