// AES-based MACs and PRFs: AES-XCBC-MAC-96 (RFC 3566), PRF-AES-XCBC-128
// (RFC 4434), AES-CMAC-96 (RFC 4494), PRF-AES-CMAC-128 (RFC 4615).
// CMAC comes from OpenSSL's EVP_MAC; XCBC is built here from AES-128-ECB
// because OpenSSL has no XCBC.
#include <array>
#include <cstdlib>

#include "libike/crypto/mac_internal.hpp"
#include "libike/crypto/ossl.hpp"

namespace ike::crypto::detail {

namespace {

constexpr std::size_t kBlock = 16;
using Block = std::array<std::uint8_t, kBlock>;

// AES-128 encryption of single blocks under one key.
class AesBlockEncryptor {
 public:
  AesBlockEncryptor(const EVP_CIPHER* ecb, const std::uint8_t* key) : ctx_(EVP_CIPHER_CTX_new()) {
    if (!ctx_ || EVP_EncryptInit_ex2(ctx_.get(), ecb, key, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx_.get(), 0) != 1) {
      std::abort();
    }
  }
  Block encrypt(const Block& in) {
    Block out{};
    int len = 0;
    if (EVP_EncryptUpdate(ctx_.get(), out.data(), &len, in.data(), kBlock) != 1 ||
        len != static_cast<int>(kBlock)) {
      std::abort();
    }
    return out;
  }

 private:
  CipherCtxPtr ctx_;
};

Block filled(std::uint8_t value) {
  Block b;
  b.fill(value);
  return b;
}

void xor_into(Block& acc, const std::uint8_t* data, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) acc[i] ^= data[i];
}

// RFC 3566 §4: AES-XCBC-MAC with a 128-bit key, full 128-bit output.
Secret aes_xcbc_mac(const EVP_CIPHER* ecb, ByteView key, ByteView msg) {
  AesBlockEncryptor k(ecb, key.data());
  // (1) K1 = E(K, 0x01..), K2 = E(K, 0x02..), K3 = E(K, 0x03..)
  Block k1 = k.encrypt(filled(0x01));
  Block k2 = k.encrypt(filled(0x02));
  Block k3 = k.encrypt(filled(0x03));
  AesBlockEncryptor e1(ecb, k1.data());
  // (3) E[i] = E(K1, M[i] XOR E[i-1]) for all but the last block.
  Block e{};
  std::size_t blocks = msg.empty() ? 1 : (msg.size() + kBlock - 1) / kBlock;
  for (std::size_t i = 0; i + 1 < blocks; ++i) {
    xor_into(e, msg.data() + i * kBlock, kBlock);
    e = e1.encrypt(e);
  }
  // (4)/(5) A complete last block is XORed with K2; a short or empty one
  // is padded with 0x80 00.. and XORed with K3.
  std::size_t last = (blocks - 1) * kBlock;
  std::size_t tail = msg.size() - last;
  xor_into(e, msg.data() + last, tail);
  if (tail == kBlock) {
    xor_into(e, k2.data(), kBlock);
  } else {
    e[tail] ^= 0x80;
    xor_into(e, k3.data(), kBlock);
  }
  Block tag = e1.encrypt(e);
  Secret out{ByteView(tag)};
  wipe(tag.data(), tag.size());
  wipe(k1.data(), k1.size());
  wipe(k2.data(), k2.size());
  wipe(k3.data(), k3.size());
  wipe(e.data(), e.size());
  return out;
}

// RFC 4493 AES-CMAC with a 128-bit key, full 128-bit output.
Secret aes_cmac(EVP_MAC* mac, ByteView key, ByteView msg) {
  MacCtxPtr ctx(EVP_MAC_CTX_new(mac));
  std::array<OSSL_PARAM, 2> params{
      OSSL_PARAM_construct_utf8_string("cipher", const_cast<char*>("AES-128-CBC"), 0),
      OSSL_PARAM_construct_end()};
  Secret out(kBlock);
  std::size_t out_len = 0;
  if (!ctx || EVP_MAC_init(ctx.get(), key.data(), key.size(), params.data()) != 1 ||
      EVP_MAC_update(ctx.get(), msg.data(), msg.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &out_len, out.size()) != 1 || out_len != kBlock) {
    std::abort();
  }
  return out;
}

// One AES MAC with a 16-byte key: XCBC or CMAC.
class AesMac {
 public:
  explicit AesMac(bool cmac) : cmac_(cmac) {
    if (cmac_) {
      mac_.reset(fetch_mac("CMAC"));
    } else {
      ecb_.reset(fetch_cipher("AES-128-ECB"));
    }
  }
  Secret compute(ByteView key16, ByteView msg) const {
    return cmac_ ? aes_cmac(mac_.get(), key16, msg) : aes_xcbc_mac(ecb_.get(), key16, msg);
  }
  // RFC 4434 §2 / RFC 4615 §3: a key of any length becomes 128 bits.
  Secret prf(ByteView key, ByteView msg) const {
    if (key.size() == kBlock) return compute(key, msg);
    Block zero{};
    if (!cmac_ && key.size() < kBlock) {
      // RFC 4434: a shorter key is padded on the right with zeros.
      Secret padded(key);
      padded.resize(kBlock);
      return compute(padded.view(), msg);
    }
    // RFC 4434 (longer) and RFC 4615 (any other length): K = MAC(0^128, key).
    Secret derived = compute(zero, key);
    return compute(derived.view(), msg);
  }

 private:
  bool cmac_;
  MacPtr mac_;
  CipherPtr ecb_;
};

class AesPrf final : public Prf {
 public:
  explicit AesPrf(PrfAlg alg) : alg_(alg), mac_(alg == PrfAlg::AesCmac) {}
  PrfAlg alg() const override { return alg_; }
  std::size_t output_size() const override { return kBlock; }
  std::size_t key_size() const override { return kBlock; }
  Secret compute(ByteView key, ByteView data) const override { return mac_.prf(key, data); }

 private:
  PrfAlg alg_;
  AesMac mac_;
};

// RFC 3566 §4 / RFC 4494 §4: 128-bit key, output truncated to 96 bits.
class AesIntegrity final : public Integrity {
 public:
  explicit AesIntegrity(IntegAlg alg) : alg_(alg), mac_(alg == IntegAlg::AesCmac96) {}
  IntegAlg alg() const override { return alg_; }
  std::size_t key_size() const override { return kBlock; }
  std::size_t icv_size() const override { return 12; }
  // A key of the wrong length yields an empty ICV, which never verifies.
  Bytes sign(ByteView key, ByteView data) const override {
    if (key.size() != kBlock) return {};
    Secret full = mac_.compute(key, data);
    return Bytes(full.data(), full.data() + icv_size());
  }
  bool verify(ByteView key, ByteView data, ByteView icv) const override {
    if (key.size() != kBlock || icv.size() != icv_size()) return false;
    Secret full = mac_.compute(key, data);
    return equal_constant_time(full.view().first(icv_size()), icv);
  }

 private:
  IntegAlg alg_;
  AesMac mac_;
};

}  // namespace

std::unique_ptr<Prf> make_aes_prf(PrfAlg alg) { return std::make_unique<AesPrf>(alg); }

std::unique_ptr<Integrity> make_aes_integrity(IntegAlg alg) {
  return std::make_unique<AesIntegrity>(alg);
}

}  // namespace ike::crypto::detail
