// Bytes exactly as they arrived, kept beside a parsed value because
// RFC 2409 hashes wire bytes, not values: HASH_I/HASH_R cover SAi_b and
// IDii_b/IDir_b (payload bodies without the generic header, §5), Quick
// Mode HASH(1)/(2) cover the payloads after the HASH (§5.5). A peer may
// encode a value differently from us (a Life Duration as 4 or 8 bytes,
// non-zero reserved bits), so re-encoding is not good enough.
//
// Filled by the decoder, ignored by the encoder, and not part of the value:
// two structs that differ only here compare equal, so round-trip tests
// compare what was meant, not where it came from.
#pragma once
#include "libike/common/bytes.hpp"

namespace ike::v1 {

struct ReceivedBytes {
  Bytes bytes;

  bool empty() const { return bytes.empty(); }
  ByteView view() const { return bytes; }
  friend bool operator==(const ReceivedBytes&, const ReceivedBytes&) { return true; }
};

}  // namespace ike::v1
