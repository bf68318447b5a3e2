#include "libike/common/secret.hpp"

#include <sodium.h>

namespace ike {

void wipe(void* data, std::size_t size) {
  if (data != nullptr && size != 0) sodium_memzero(data, size);
}

}  // namespace ike
