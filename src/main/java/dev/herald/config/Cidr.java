package dev.herald.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 network in CIDR notation; parses literals only, never resolves names. */
public record Cidr(byte[] network, int prefixLength) {

  /** True when {@code text} is an address literal with a prefix length, e.g. {@code 10.0.0.0/8}. */
  public static boolean isValid(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Parses {@code text}; throws {@link IllegalArgumentException} when it is not a CIDR. */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("no prefix length");
    }
    String address = text.substring(0, slash);
    if (!address.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException("not an address literal");
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an address literal");
    }
    int prefix;
    try {
      prefix = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad prefix length");
    }
    if (prefix < 0 || prefix > bytes.length * 8) {
      throw new IllegalArgumentException("bad prefix length");
    }
    return new Cidr(bytes, prefix);
  }

  /** True when {@code address} lies inside this network. */
  public boolean contains(InetAddress address) {
    byte[] other = address.getAddress();
    if (other.length != network.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (other[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (other[full] & mask) == (network[full] & mask);
  }
}
