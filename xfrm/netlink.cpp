#include "xfrm/netlink.hpp"

#include <linux/netlink.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace kite::xfrm {

namespace {

// Large enough for any message kite builds (an SA with two keys, ESN
// bitmap of 4096 bits and every optional attribute is under 1 KiB).
constexpr std::size_t kBuilderCapacity = 4096;

std::size_t align4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

void put_u16(ike::Bytes& buf, std::size_t at, std::uint16_t v) { std::memcpy(&buf[at], &v, 2); }
void put_u32(ike::Bytes& buf, std::size_t at, std::uint32_t v) { std::memcpy(&buf[at], &v, 4); }

}  // namespace

MessageBuilder::MessageBuilder(std::uint16_t type, std::uint16_t flags) {
  buf_.reserve(kBuilderCapacity);
  nlmsghdr header{};
  header.nlmsg_type = type;
  header.nlmsg_flags = flags;
  put_aligned(view_of(header));
}

void MessageBuilder::put_aligned(ike::ByteView data) {
  buf_.insert(buf_.end(), data.begin(), data.end());
  buf_.resize(align4(buf_.size()), 0);
}

void MessageBuilder::put_attr(std::uint16_t type, ike::ByteView head, ike::ByteView tail) {
  // NLA_HDRLEN header: nla_len covers header + payload, not the padding.
  std::size_t at = buf_.size();
  buf_.resize(at + NLA_HDRLEN, 0);
  put_u16(buf_, at, static_cast<std::uint16_t>(NLA_HDRLEN + head.size() + tail.size()));
  put_u16(buf_, at + 2, type);
  buf_.insert(buf_.end(), head.begin(), head.end());
  put_aligned(tail);
}

ike::Bytes MessageBuilder::finish() {
  put_u32(buf_, 0, static_cast<std::uint32_t>(buf_.size()));
  return std::move(buf_);
}

void set_sequence(ike::Bytes& message, std::uint32_t seq) {
  if (message.size() >= sizeof(nlmsghdr)) put_u32(message, offsetof(nlmsghdr, nlmsg_seq), seq);
}

std::optional<std::vector<NetlinkMessage>> split_messages(ike::ByteView datagram) {
  std::vector<NetlinkMessage> out;
  while (!datagram.empty()) {
    auto header = read_struct<nlmsghdr>(datagram);
    if (!header || header->nlmsg_len < sizeof(nlmsghdr) || header->nlmsg_len > datagram.size())
      return std::nullopt;
    out.push_back({header->nlmsg_type, header->nlmsg_flags, header->nlmsg_seq,
                   header->nlmsg_pid,
                   datagram.subspan(sizeof(nlmsghdr), header->nlmsg_len - sizeof(nlmsghdr))});
    // The last message of a datagram may omit its trailing padding.
    datagram = datagram.subspan(std::min(align4(header->nlmsg_len), datagram.size()));
  }
  return out;
}

std::optional<Attributes> Attributes::parse(ike::ByteView payload, std::size_t header_size) {
  if (payload.size() < header_size) return std::nullopt;
  Attributes attrs;
  auto rest = payload.subspan(std::min(align4(header_size), payload.size()));
  while (!rest.empty()) {
    auto header = read_struct<nlattr>(rest);
    if (!header || header->nla_len < NLA_HDRLEN || header->nla_len > rest.size()) return std::nullopt;
    attrs.list_.push_back({static_cast<std::uint16_t>(header->nla_type & NLA_TYPE_MASK),
                           rest.subspan(NLA_HDRLEN, header->nla_len - NLA_HDRLEN)});
    rest = rest.subspan(std::min(align4(header->nla_len), rest.size()));
  }
  return attrs;
}

std::optional<ike::ByteView> Attributes::find(std::uint16_t type) const {
  for (const auto& a : list_)
    if (a.type == type) return a.payload;
  return std::nullopt;
}

std::optional<NetlinkError> parse_error(ike::ByteView payload, std::uint16_t flags) {
  // struct nlmsgerr: int error; struct nlmsghdr msg; then (unless
  // NLM_F_CAPPED) the rest of the offending request, then extended-ACK TLVs
  // when NLM_F_ACK_TLVS (linux/netlink.h).
  auto err = read_struct<nlmsgerr>(payload);
  if (!err) return std::nullopt;
  NetlinkError out;
  out.error = -err->error;
  if (out.error < 0) return std::nullopt;  // the kernel sends -errno or 0
  if (!(flags & NLM_F_ACK_TLVS)) return out;
  std::size_t tlv_at = sizeof(nlmsgerr);
  if (!(flags & NLM_F_CAPPED)) {
    if (err->msg.nlmsg_len < sizeof(nlmsghdr)) return std::nullopt;
    tlv_at = sizeof(err->error) + align4(err->msg.nlmsg_len);
  }
  if (tlv_at > payload.size()) return std::nullopt;
  auto tlvs = Attributes::parse(payload.subspan(tlv_at), 0);
  if (!tlvs) return std::nullopt;
  if (auto text = tlvs->find(NLMSGERR_ATTR_MSG)) {
    std::string s(text->begin(), text->end());
    out.message = s.substr(0, s.find('\0'));
  }
  return out;
}

std::string describe_errno(int error) {
  const char* name = strerrorname_np(error);
  const char* text = strerrordesc_np(error);
  if (!name) return fmt::format("error {}", error);
  return fmt::format("{} ({})", name, text ? text : "unknown");
}

}  // namespace kite::xfrm
