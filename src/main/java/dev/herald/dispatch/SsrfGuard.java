package dev.herald.dispatch;

import dev.herald.config.Cidr;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * Decides whether an endpoint may be reached at a resolved address. Refused unless whitelisted:
 * loopback, private (RFC 1918, IPv6 unique-local), link-local (which holds the cloud metadata
 * address 169.254.169.254), CGNAT (100.64.0.0/10), unspecified, multicast, broadcast and the
 * reserved ranges. The check runs on the addresses the name resolved to, at connect time, so a DNS
 * answer that changes after the endpoint was saved cannot slip past it. Immutable.
 */
public final class SsrfGuard {
  private static final List<Cidr> BLOCKED =
      List.of(
          Cidr.parse("0.0.0.0/8"),
          Cidr.parse("10.0.0.0/8"),
          Cidr.parse("100.64.0.0/10"),
          Cidr.parse("127.0.0.0/8"),
          Cidr.parse("169.254.0.0/16"),
          Cidr.parse("172.16.0.0/12"),
          Cidr.parse("192.0.0.0/24"),
          Cidr.parse("192.0.2.0/24"),
          Cidr.parse("192.168.0.0/16"),
          Cidr.parse("198.18.0.0/15"),
          Cidr.parse("198.51.100.0/24"),
          Cidr.parse("203.0.113.0/24"),
          Cidr.parse("224.0.0.0/4"),
          Cidr.parse("240.0.0.0/4"),
          Cidr.parse("::/128"),
          Cidr.parse("::1/128"),
          Cidr.parse("64:ff9b::/96"),
          Cidr.parse("100::/64"),
          Cidr.parse("2001:db8::/32"),
          Cidr.parse("fc00::/7"),
          Cidr.parse("fe80::/10"),
          Cidr.parse("ff00::/8"));

  private final List<Cidr> allowed;

  public SsrfGuard(List<String> whitelistSubnets) {
    this.allowed = whitelistSubnets.stream().map(Cidr::parse).toList();
  }

  /** Null when {@code address} may be reached, else the reason it may not. */
  public String refusal(InetAddress address) {
    InetAddress effective = unmapped(address);
    for (Cidr net : allowed) {
      if (net.contains(effective) || net.contains(address)) {
        return null;
      }
    }
    for (Cidr net : BLOCKED) {
      if (net.contains(effective)) {
        return "address "
            + effective.getHostAddress()
            + " is private, loopback, link-local or reserved and not in HERALD_WHITELIST_SUBNETS";
      }
    }
    return null;
  }

  /** The IPv4 address inside an IPv4-mapped or IPv4-compatible IPv6 address. */
  static InetAddress unmapped(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address;
    }
    byte[] b = address.getAddress();
    boolean mapped = true;
    for (int i = 0; i < 10; i++) {
      mapped &= b[i] == 0;
    }
    if (!mapped || !((b[10] == (byte) 0xff && b[11] == (byte) 0xff))) {
      return address;
    }
    try {
      return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
    } catch (java.net.UnknownHostException e) {
      return address;
    }
  }
}
