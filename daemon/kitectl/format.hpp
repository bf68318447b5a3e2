// kitectl's human views, rendered from the same JSON objects that --json
// prints, so both views always agree.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/protocol.hpp"

namespace kite::kitectl {

using daemon::Json;

std::string format_duration(std::int64_t seconds);  // 45s 10m03s 2h03m 3d04h
std::string format_bytes(std::uint64_t bytes);       // 512 B, 1.5 KiB, 3.2 MiB

// Member access that never throws on a missing or mistyped member.
std::string text(const Json& object, std::string_view key, std::string_view fallback = "-");
std::uint64_t number(const Json& object, std::string_view key);

std::string format_status(const Json& status_reply);  // one line per tunnel
std::string format_show(const Json& tunnel);          // show_reply["tunnel"]
std::string format_event(const Json& event);          // one monitor line

}  // namespace kite::kitectl
