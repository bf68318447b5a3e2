#include "libike/ikev1/codec/crypt.hpp"

#include "libike/common/writer.hpp"

namespace ike::v1 {

namespace {

constexpr auto kNone = PayloadType::None;

// IKEv1 encrypts ISAKMP messages with CBC ciphers only (RFC 2409 App. B).
ParseResult<void> check_cipher(const crypto::Cipher& cipher, ByteView iv, ParseErrc code) {
  if (cipher.is_aead() || cipher.block_size() < 2) {
    return parse_fail(code, 0, kNone, "IKEv1 messages need a CBC cipher");
  }
  if (iv.size() != cipher.block_size()) {
    return parse_fail(code, 0, kNone, "IV is not one cipher block");
  }
  return {};
}

Bytes last_block(ByteView ciphertext, std::size_t block) {
  auto tail = ciphertext.last(block);
  return Bytes(tail.begin(), tail.end());
}

}  // namespace

ParseResult<DecryptedMessage> decrypt_body(ByteView wire, const crypto::Cipher& cipher,
                                           ByteView key, ByteView iv) {
  auto h = decode_header(wire);
  if (!h) return fail(h.error());
  if (!h->header.encrypted()) {
    return parse_fail(ParseErrc::DecryptFailed, 19, kNone, "E flag not set");
  }
  if (auto st = check_cipher(cipher, iv, ParseErrc::DecryptFailed); !st) return fail(st.error());
  // Nothing but padding cannot be re-encrypted and serves no exchange.
  if (h->first_payload == kNone) {
    return parse_fail(ParseErrc::BadValue, 16, kNone, "encrypted message without payloads");
  }
  ByteView ciphertext = wire.subspan(kHeaderSize);
  std::size_t block = cipher.block_size();
  if (ciphertext.empty() || ciphertext.size() % block != 0) {
    return parse_fail(ParseErrc::DecryptFailed, kHeaderSize, kNone, "ciphertext not a multiple of the block size");
  }
  auto plain = cipher.decrypt(key, iv, ciphertext, {});
  if (!plain) return parse_fail(ParseErrc::DecryptFailed, kHeaderSize, kNone, "cipher refused to decrypt");
  // Padding follows the last payload, so trailing bytes are allowed here.
  auto chain = decode_payload_chain(h->first_payload, *plain, kHeaderSize, true);
  if (!chain) {
    auto e = chain.error();
    e.after_decryption = true;
    return fail(e);
  }
  return DecryptedMessage{Message{h->header, std::move(chain->payloads), std::move(chain->received)},
                          last_block(ciphertext, block)};
}

ParseResult<EncryptedMessage> encrypt_message(const Message& m, const crypto::Cipher& cipher,
                                              ByteView key, ByteView iv) {
  if (auto st = check_cipher(cipher, iv, ParseErrc::EncryptFailed); !st) return fail(st.error());
  if (m.payloads.empty()) return parse_fail(ParseErrc::BadValue, 16, kNone, "nothing to encrypt");
  auto chain = encode_payloads(m.payloads);
  if (!chain) return fail(chain.error());
  std::size_t block = cipher.block_size();
  // RFC 2409 Appendix B / RFC 2408 §3.1: pad to the block size with zeros.
  chain->resize((chain->size() + block - 1) / block * block, 0);
  std::size_t length = kHeaderSize + chain->size();
  if (length > kMaxMessageSize) {
    return parse_fail(ParseErrc::Oversize, 0, kNone, "message longer than 65535 bytes");
  }
  auto ciphertext = cipher.encrypt(key, iv, *chain, {});
  if (!ciphertext || ciphertext->size() != chain->size()) {
    return parse_fail(ParseErrc::EncryptFailed, kHeaderSize, kNone, "cipher refused to encrypt");
  }
  Header header = m.header;
  header.flags |= flags::kEncryption;
  Writer w;
  auto first = m.payloads.empty() ? kNone : payload_type(m.payloads.front());
  write_header(header, first, static_cast<std::uint32_t>(length), w);
  w.bytes(*ciphertext);
  return EncryptedMessage{w.take(), last_block(*ciphertext, block)};
}

Bytes phase1_iv(crypto::HashAlg hash, ByteView gxi, ByteView gxr, std::size_t block_size) {
  Bytes digest = crypto::hash(hash, concat(gxi, gxr));
  digest.resize(std::min(digest.size(), block_size));
  return digest;
}

Bytes phase2_iv(crypto::HashAlg hash, ByteView last_phase1_block, std::uint32_t message_id,
                std::size_t block_size) {
  Writer w;
  w.bytes(last_phase1_block);
  w.u32(message_id);
  Bytes digest = crypto::hash(hash, w.data());
  digest.resize(std::min(digest.size(), block_size));
  return digest;
}

}  // namespace ike::v1
