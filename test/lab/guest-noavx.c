/*
 * guest-noavx.so: LD_PRELOADed into every process of the lab guest.
 *
 * Inside the UML guest, register state beyond the FXSAVE area (ymm upper
 * halves, ymm/zmm16-31, AVX-512 mask registers) does not survive a page
 * fault (see uml-launch.c and README.md). glibc and OpenSSL have environment
 * switches to stay off AVX (GLIBC_TUNABLES, OPENSSL_ia32cap, set by
 * guest-init.sh); libsodium has none, but it picks its AVX2/AVX-512
 * implementations (ChaCha20, Salsa20, BLAKE2b, Argon2) by calling these
 * exported probes through its PLT, so defining them here wins. The SSE
 * implementations it falls back to are correct, only slower.
 *
 * Built by run.sh into the lab's work directory; not a committed binary.
 */
int sodium_runtime_has_avx(void) { return 0; }
int sodium_runtime_has_avx2(void) { return 0; }
int sodium_runtime_has_avx512f(void) { return 0; }
