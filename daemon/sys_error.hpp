// "what: strerror(errno)" as one log line / error value.
#pragma once
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include "libike/common/result.hpp"

namespace kite::daemon {

inline std::string errno_text(std::string_view what, int err = errno) {
  return std::string(what) + ": " + std::strerror(err);
}

inline ike::Failure<ike::Error> sys_fail(std::string_view what, int err = errno) {
  return ike::fail(errno_text(what, err));
}

}  // namespace kite::daemon
