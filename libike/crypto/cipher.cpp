// Ciphers over OpenSSL 3 EVP: CBC modes without padding (IKE pads itself,
// RFC 7296 §3.14, RFC 2409 Appendix B) and the AEADs AES-GCM (RFC 4106 /
// RFC 5282) and ChaCha20-Poly1305 (RFC 7634).
#include <array>
#include <cstdlib>

#include "libike/crypto/crypto.hpp"
#include "libike/crypto/ossl.hpp"

namespace ike::crypto {

namespace {

using detail::CipherCtxPtr;
using detail::CipherPtr;

// RFC 5282 §7.1 (GCM) and RFC 7634 §2 (ChaCha20): 4 salt bytes follow the
// key in the keying material; the nonce is salt || 8-byte explicit IV.
constexpr std::size_t kSaltSize = 4;
constexpr std::size_t kAeadIvSize = 8;
constexpr std::size_t kNonceSize = kSaltSize + kAeadIvSize;

const char* evp_name(EncrAlg alg) {
  switch (alg) {
    case EncrAlg::DesCbc: return "DES-CBC";  // legacy provider
    case EncrAlg::TripleDesCbc: return "DES-EDE3-CBC";
    case EncrAlg::Aes128Cbc: return "AES-128-CBC";
    case EncrAlg::Aes192Cbc: return "AES-192-CBC";
    case EncrAlg::Aes256Cbc: return "AES-256-CBC";
    case EncrAlg::Sm4Cbc: return "SM4-CBC";
    case EncrAlg::Aes128Gcm16:
    case EncrAlg::Aes128Gcm12:
    case EncrAlg::Aes128Gcm8: return "AES-128-GCM";
    case EncrAlg::Aes256Gcm16:
    case EncrAlg::Aes256Gcm12:
    case EncrAlg::Aes256Gcm8: return "AES-256-GCM";
    case EncrAlg::ChaCha20Poly1305: return "ChaCha20-Poly1305";
  }
  return "";
}

std::size_t aead_icv_size(EncrAlg alg) {
  switch (alg) {
    case EncrAlg::Aes128Gcm8:
    case EncrAlg::Aes256Gcm8: return 8;
    case EncrAlg::Aes128Gcm12:
    case EncrAlg::Aes256Gcm12: return 12;
    default: return 16;
  }
}

int int_size(std::size_t n) { return static_cast<int>(n); }

class CbcCipher final : public Cipher {
 public:
  explicit CbcCipher(EncrAlg alg)
      : alg_(alg), cipher_(detail::fetch_cipher(evp_name(alg))),
        block_(static_cast<std::size_t>(EVP_CIPHER_get_block_size(cipher_.get()))) {}
  EncrAlg alg() const override { return alg_; }
  bool is_aead() const override { return false; }
  std::size_t keymat_size() const override { return key_size(alg_); }
  std::size_t block_size() const override { return block_; }
  std::size_t iv_size() const override { return block_; }
  std::size_t icv_size() const override { return 0; }

  Result<Bytes> encrypt(ByteView keymat, ByteView iv, ByteView plaintext,
                        ByteView) const override {
    return run(1, keymat, iv, plaintext);
  }
  Result<Bytes> decrypt(ByteView keymat, ByteView iv, ByteView ciphertext,
                        ByteView) const override {
    return run(0, keymat, iv, ciphertext);
  }

 private:
  Result<Bytes> run(int enc, ByteView key, ByteView iv, ByteView in) const {
    if (key.size() != keymat_size()) return fail("cipher: wrong key length");
    if (iv.size() != block_) return fail("cipher: wrong IV length");
    if (in.size() % block_ != 0) return fail("cipher: input is not a multiple of the block size");
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    Bytes out(in.size() + block_);
    int len = 0;
    int final_len = 0;
    if (!ctx || EVP_CipherInit_ex2(ctx.get(), cipher_.get(), key.data(), iv.data(), enc, nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
        EVP_CipherUpdate(ctx.get(), out.data(), &len, in.data(), int_size(in.size())) != 1 ||
        EVP_CipherFinal_ex(ctx.get(), out.data() + len, &final_len) != 1) {
      return fail("cipher: OpenSSL CBC operation failed");
    }
    out.resize(static_cast<std::size_t>(len + final_len));
    return out;
  }

  EncrAlg alg_;
  CipherPtr cipher_;
  std::size_t block_;
};

class AeadCipher final : public Cipher {
 public:
  explicit AeadCipher(EncrAlg alg)
      : alg_(alg), cipher_(detail::fetch_cipher(evp_name(alg))), icv_(aead_icv_size(alg)) {}
  EncrAlg alg() const override { return alg_; }
  bool is_aead() const override { return true; }
  std::size_t keymat_size() const override { return key_size(alg_) + kSaltSize; }
  // Padding unit for IKE: neither AEAD needs padding (a stream of counter
  // blocks). ChaCha20 reports 1 (RFC 7634 §3); GCM reports its 16-byte
  // block, which keeps the SK payload block-aligned like CBC: RFC 7296
  // §3.14 lets the sender pick the padding and the receiver accepts any.
  std::size_t block_size() const override { return alg_ == EncrAlg::ChaCha20Poly1305 ? 1 : 16; }
  std::size_t iv_size() const override { return kAeadIvSize; }
  std::size_t icv_size() const override { return icv_; }

  Result<Bytes> encrypt(ByteView keymat, ByteView iv, ByteView plaintext,
                        ByteView aad) const override {
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (auto st = init(ctx.get(), 1, keymat, iv, aad); !st) return fail(st.error());
    Bytes out(plaintext.size() + icv_);
    int len = 0;
    int final_len = 0;
    if (EVP_CipherUpdate(ctx.get(), out.data(), &len, plaintext.data(),
                         int_size(plaintext.size())) != 1 ||
        EVP_CipherFinal_ex(ctx.get(), out.data() + len, &final_len) != 1 ||
        static_cast<std::size_t>(len + final_len) != plaintext.size() ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, int_size(icv_),
                            out.data() + plaintext.size()) != 1) {
      return fail("cipher: OpenSSL AEAD encryption failed");
    }
    return out;
  }

  Result<Bytes> decrypt(ByteView keymat, ByteView iv, ByteView input,
                        ByteView aad) const override {
    if (input.size() < icv_) return fail("cipher: AEAD input shorter than its ICV");
    ByteView body = input.first(input.size() - icv_);
    std::array<std::uint8_t, 16> tag{};
    std::copy(input.end() - static_cast<std::ptrdiff_t>(icv_), input.end(), tag.begin());
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (auto st = init(ctx.get(), 0, keymat, iv, aad); !st) return fail(st.error());
    Bytes out(body.size() + 16);
    int len = 0;
    int final_len = 0;
    if (EVP_CipherUpdate(ctx.get(), out.data(), &len, body.data(), int_size(body.size())) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, int_size(icv_), tag.data()) != 1) {
      return fail("cipher: OpenSSL AEAD decryption failed");
    }
    if (EVP_CipherFinal_ex(ctx.get(), out.data() + len, &final_len) != 1) {
      wipe(out.data(), out.size());
      return fail("cipher: AEAD integrity check failed");
    }
    out.resize(static_cast<std::size_t>(len + final_len));
    return out;
  }

 private:
  // Key, nonce = salt || IV (RFC 4106 §4, RFC 7634 §2), then the AAD.
  Status init(EVP_CIPHER_CTX* ctx, int enc, ByteView keymat, ByteView iv, ByteView aad) const {
    if (keymat.size() != keymat_size()) return fail("cipher: wrong AEAD keying material length");
    if (iv.size() != kAeadIvSize) return fail("cipher: wrong AEAD IV length");
    std::array<std::uint8_t, kNonceSize> nonce{};
    std::size_t key_len = keymat.size() - kSaltSize;
    std::copy(keymat.begin() + static_cast<std::ptrdiff_t>(key_len), keymat.end(), nonce.begin());
    std::copy(iv.begin(), iv.end(), nonce.begin() + kSaltSize);
    int aad_len = 0;
    if (ctx == nullptr || EVP_CipherInit_ex2(ctx, cipher_.get(), nullptr, nullptr, enc, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, int_size(kNonceSize), nullptr) != 1 ||
        EVP_CipherInit_ex2(ctx, nullptr, keymat.data(), nonce.data(), enc, nullptr) != 1 ||
        (!aad.empty() &&
         EVP_CipherUpdate(ctx, nullptr, &aad_len, aad.data(), int_size(aad.size())) != 1)) {
      return fail("cipher: OpenSSL AEAD setup failed");
    }
    return {};
  }

  EncrAlg alg_;
  CipherPtr cipher_;
  std::size_t icv_;
};

}  // namespace

std::unique_ptr<Cipher> make_cipher(EncrAlg alg) {
  if (crypto::is_aead(alg)) return std::make_unique<AeadCipher>(alg);
  return std::make_unique<CbcCipher>(alg);
}

}  // namespace ike::crypto
