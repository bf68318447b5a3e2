// Pure netlink framing shared by XFRM and rtnetlink (no sockets here,
// STYLE.md §3): a builder that lays out one message (nlmsghdr, the fixed
// family header, attributes) and bounds-checked readers for what the kernel
// sends back. Netlink is host byte order except where a uapi field is
// declared __be (addresses, ports, SPIs).
#pragma once
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "libike/common/bytes.hpp"

namespace kite::xfrm {

// The bytes of a trivially copyable uapi struct.
template <typename T>
ike::ByteView view_of(const T& value) {
  static_assert(std::is_trivially_copyable_v<T>);
  return {reinterpret_cast<const std::uint8_t*>(&value), sizeof(T)};
}

// Copies a uapi struct out of received bytes (memcpy: attributes are only
// 4-byte aligned while xfrm structs hold __u64). nullopt when too short.
template <typename T>
std::optional<T> read_struct(ike::ByteView data) {
  static_assert(std::is_trivially_copyable_v<T>);
  if (data.size() < sizeof(T)) return std::nullopt;
  T value;
  std::memcpy(&value, data.data(), sizeof(T));
  return value;
}

// Builds one netlink message. The buffer is reserved up front so it never
// reallocates: SA messages carry keys, and a reallocation would leave a
// copy in freed memory. Whoever sends the result wipes it (ike::wipe).
class MessageBuilder {
 public:
  MessageBuilder(std::uint16_t type, std::uint16_t flags);

  // The fixed header of the family (e.g. xfrm_usersa_info), NLMSG_ALIGNed.
  template <typename T>
  void put_header(const T& header) {
    put_aligned(view_of(header));
  }
  // One attribute whose payload is head followed by tail (an xfrm_algo
  // and its key, for instance), NLA_ALIGNed.
  void put_attr(std::uint16_t type, ike::ByteView head, ike::ByteView tail = {});
  template <typename T>
    requires(!std::is_convertible_v<T, ike::ByteView>)
  void put_attr(std::uint16_t type, const T& value) {
    put_attr(type, view_of(value));
  }
  // Patches nlmsg_len and hands the message over.
  ike::Bytes finish();

 private:
  void put_aligned(ike::ByteView data);
  ike::Bytes buf_;
};

// Writes the sequence number into a built message (the socket numbers its
// requests; builders leave 0).
void set_sequence(ike::Bytes& message, std::uint32_t seq);

// One message of a received datagram; payload is what follows nlmsghdr.
struct NetlinkMessage {
  std::uint16_t type = 0;
  std::uint16_t flags = 0;
  std::uint32_t seq = 0;
  std::uint32_t pid = 0;
  ike::ByteView payload;
};

// Splits a datagram into its messages. nullopt if any length field points
// outside the datagram or below the header size.
std::optional<std::vector<NetlinkMessage>> split_messages(ike::ByteView datagram);

struct Attribute {
  std::uint16_t type = 0;  // NLA_TYPE_MASK applied
  ike::ByteView payload;
};

// The attributes that follow a fixed family header of header_size bytes.
class Attributes {
 public:
  // nullopt if the attribute stream is malformed.
  static std::optional<Attributes> parse(ike::ByteView payload, std::size_t header_size);
  // The first attribute of this type, if any.
  std::optional<ike::ByteView> find(std::uint16_t type) const;
  const std::vector<Attribute>& all() const { return list_; }

 private:
  std::vector<Attribute> list_;
};

// NLMSG_ERROR: error 0 is an ACK, otherwise a positive errno. With
// NETLINK_EXT_ACK the kernel may explain itself in `message`.
struct NetlinkError {
  int error = 0;
  std::string message;
};

// Parses an NLMSG_ERROR payload; flags are the message's nlmsg_flags
// (NLM_F_CAPPED, NLM_F_ACK_TLVS tell where the extended ACK starts).
std::optional<NetlinkError> parse_error(ike::ByteView payload, std::uint16_t flags);

// "EEXIST (File exists)" for log lines.
std::string describe_errno(int error);

}  // namespace kite::xfrm
