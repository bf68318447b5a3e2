// The IKEv1/ISAKMP codec in one include: ike::v1 types and functions.
//   constants.hpp    payload/exchange/notify/attribute numbers
//   error.hpp        ParseErrc, ParseError, to_string, to_notify
//   attributes.hpp   DataAttribute (TV/TLV)
//   sa.hpp           SaPayload > Proposal > Transform, sa_body_for_hash
//   payloads.hpp     KE, ID, HASH, Nonce, N, D, VID, NAT-D, NAT-OA, Payload
//   message.hpp      Header, Message, decode, encode, encode_payloads
//   hash_inputs.hpp  RFC 2409 hash inputs, bytes_after_hash, prepend_hash
//   crypt.hpp        decrypt_body, encrypt_message, phase1_iv, phase2_iv
#pragma once
#include "libike/ikev1/codec/attributes.hpp"
#include "libike/ikev1/codec/constants.hpp"
#include "libike/ikev1/codec/crypt.hpp"
#include "libike/ikev1/codec/error.hpp"
#include "libike/ikev1/codec/hash_inputs.hpp"
#include "libike/ikev1/codec/message.hpp"
#include "libike/ikev1/codec/payloads.hpp"
#include "libike/ikev1/codec/sa.hpp"
