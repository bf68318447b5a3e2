// The IKEv2 codec in one include: constants, errors, payload structs,
// messages (decode/encode) and the SK payload (decode/encode_protected).
#pragma once
#include "libike/ikev2/codec/constants.hpp"
#include "libike/ikev2/codec/errors.hpp"
#include "libike/ikev2/codec/message.hpp"
#include "libike/ikev2/codec/payloads.hpp"
#include "libike/ikev2/codec/protected.hpp"
