// Internal to the codec: per-payload body codecs, dispatched from
// payloads.cpp. `base` is the offset of the body in the message.
#pragma once
#include "libike/ikev1/codec/payloads.hpp"

namespace ike::v1::detail {

ParseResult<IdPayload> decode_id(ByteView body, std::size_t base);
ParseResult<void> encode_id(const IdPayload& id, Writer& w);

ParseResult<NatOaPayload> decode_nat_oa(ByteView body, std::size_t base, bool draft);
ParseResult<void> encode_nat_oa(const NatOaPayload& oa, Writer& w);

ParseResult<NotificationPayload> decode_notification(ByteView body, std::size_t base);
ParseResult<void> encode_notification(const NotificationPayload& n, Writer& w);

ParseResult<DeletePayload> decode_delete(ByteView body, std::size_t base);
ParseResult<void> encode_delete(const DeletePayload& d, Writer& w);

}  // namespace ike::v1::detail
