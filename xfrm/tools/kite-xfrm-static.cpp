// kite-xfrm-static: a static-keyed ESP tunnel through XfrmKernel, so the
// kernel lab can prove xfrm/ with real kernel ESP before the IKE engine
// exists (test/lab/scenarios/xfrm-static.sh). Lab tool only: keys on the
// command line are visible to other local users.
//
//   kite-xfrm-static add  --local A --remote B --local-net L --remote-net R
//                         --spi-out X --spi-in Y --enc ALG --enc-key HEX
//                         [--integ ALG --integ-key HEX] [--encap SPORT:DPORT]
//                         [--esn] [--replay N] [--reqid N] [--tunnel NAME]
//                         [--lifetime SOFT:HARD] [--lifetime-bytes SOFT:HARD]
//                         [--update-in]   (--spi-in came from allocspi: UPDSA)
//   kite-xfrm-static del  --local A --remote B --local-net L --remote-net R
//                         --spi-out X --spi-in Y
//   kite-xfrm-static show --dst A --spi X       counters of one SA
//   kite-xfrm-static list                       SAs and policies, kite's marked
//   kite-xfrm-static allocspi --local A --remote B [--reqid N]
//   kite-xfrm-static flush                      remove everything kite owns
//   kite-xfrm-static encap-socket --port P [--family 4|6]
//       holds a UDP socket with UDP_ENCAP_ESPINUDP (RFC 3948) until killed,
//       as kited's port 4500 socket does: the kernel only decapsulates
//       ESP-in-UDP that arrives on such a socket.
//
// `add` installs the inbound SA (remote -> local, --spi-in), the outbound
// SA (local -> remote, --spi-out) and the out/in/fwd policies; if any step
// fails it removes what it installed, so nothing is left half-built.
#include <linux/udp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "xfrm/describe.hpp"
#include "xfrm/ownership.hpp"
#include "xfrm/xfrm_kernel.hpp"

namespace {

using namespace kite::xfrm;
using ike::crypto::EncrAlg;
using ike::crypto::IntegAlg;

struct Usage {
  std::string message;
};

using Options = std::map<std::string, std::string>;

Options parse_options(int argc, char** argv) {
  Options out;
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.substr(0, 2) != "--") throw Usage{fmt::format("unexpected argument {}", arg)};
    std::string key(arg.substr(2));
    bool flag = key == "esn" || key == "update-in";
    if (!flag && i + 1 >= argc) throw Usage{fmt::format("--{} needs a value", key)};
    std::string value(flag ? std::string_view("1") : std::string_view(argv[++i]));
    out.insert_or_assign(std::move(key), std::move(value));
  }
  return out;
}

const std::string& need(const Options& o, const std::string& key) {
  auto it = o.find(key);
  if (it == o.end()) throw Usage{fmt::format("missing --{}", key)};
  return it->second;
}

std::uint64_t number(const std::string& text, const std::string& what) {
  std::uint64_t v = 0;
  int base = text.rfind("0x", 0) == 0 ? 16 : 10;
  const char* begin = text.data() + (base == 16 ? 2 : 0);
  auto [end, ec] = std::from_chars(begin, text.data() + text.size(), v, base);
  if (ec != std::errc() || end != text.data() + text.size() || begin == end)
    throw Usage{fmt::format("--{}: not a number: {}", what, text)};
  return v;
}

std::uint32_t u32(const Options& o, const std::string& key) {
  auto v = number(need(o, key), key);
  if (v > 0xffffffff) throw Usage{fmt::format("--{} out of range", key)};
  return static_cast<std::uint32_t>(v);
}

ike::IpAddress address(const Options& o, const std::string& key) {
  auto a = ike::IpAddress::parse(need(o, key));
  if (!a) throw Usage{fmt::format("--{}: not an IP address", key)};
  return *a;
}

ike::Subnet subnet(const Options& o, const std::string& key) {
  auto s = ike::Subnet::parse(need(o, key));
  if (!s) throw Usage{fmt::format("--{}: not a subnet", key)};
  return *s;
}

// "A:B" -> (A, B)
std::pair<std::uint64_t, std::uint64_t> pair_of(const Options& o, const std::string& key) {
  const auto& text = need(o, key);
  auto colon = text.find(':');
  if (colon == std::string::npos) throw Usage{fmt::format("--{} wants A:B", key)};
  return {number(text.substr(0, colon), key), number(text.substr(colon + 1), key)};
}

// SPEC.md §2 algorithm names.
EncrAlg encryption(const std::string& name) {
  static const std::map<std::string, EncrAlg> table{
      {"des", EncrAlg::DesCbc},           {"3des", EncrAlg::TripleDesCbc},
      {"aes128", EncrAlg::Aes128Cbc},     {"aes192", EncrAlg::Aes192Cbc},
      {"aes256", EncrAlg::Aes256Cbc},     {"sm4", EncrAlg::Sm4Cbc},
      {"aes128gcm", EncrAlg::Aes128Gcm16}, {"aes256gcm", EncrAlg::Aes256Gcm16},
      {"aes128gcm12", EncrAlg::Aes128Gcm12}, {"aes256gcm12", EncrAlg::Aes256Gcm12},
      {"aes128gcm8", EncrAlg::Aes128Gcm8}, {"aes256gcm8", EncrAlg::Aes256Gcm8},
      {"chacha20poly1305", EncrAlg::ChaCha20Poly1305}};
  auto it = table.find(name);
  if (it == table.end()) throw Usage{fmt::format("unknown encryption {}", name)};
  return it->second;
}

IntegAlg integrity(const std::string& name) {
  static const std::map<std::string, IntegAlg> table{
      {"md5", IntegAlg::HmacMd5_96},         {"sha1", IntegAlg::HmacSha1_96},
      {"sha256", IntegAlg::HmacSha256_128},  {"sha384", IntegAlg::HmacSha384_192},
      {"sha512", IntegAlg::HmacSha512_256},  {"sm3", IntegAlg::HmacSm3_128}};
  auto it = table.find(name);
  if (it == table.end()) throw Usage{fmt::format("unknown integrity {}", name)};
  return it->second;
}

ike::Secret key(const Options& o, const std::string& name) {
  try {
    return ike::Secret(ike::from_hex(need(o, name)));
  } catch (const std::invalid_argument&) {
    throw Usage{fmt::format("--{}: not hex", name)};
  }
}

std::uint32_t reqid(const Options& o) {
  return o.count("reqid") ? u32(o, "reqid") : kOwnedReqidFirst + 1;
}

// The two SAs and three policies of one static tunnel.
struct StaticTunnel {
  ike::EspSa in, out;
  std::vector<ike::Policy> policies;
};

ike::EspSa base_sa(const Options& o, bool inbound) {
  ike::EspSa sa;
  auto local = address(o, "local"), remote = address(o, "remote");
  auto local_net = subnet(o, "local-net"), remote_net = subnet(o, "remote-net");
  // Static SPIs have no larval SA to complete (NEWSA) unless the inbound
  // one came from `allocspi`, as it will in IKE (UPDSA).
  sa.inbound = inbound && o.count("update-in") > 0;
  sa.src = inbound ? remote : local;
  sa.id = {inbound ? local : remote, u32(o, inbound ? "spi-in" : "spi-out")};
  sa.selector_src = inbound ? remote_net : local_net;
  sa.selector_dst = inbound ? local_net : remote_net;
  sa.reqid = reqid(o);
  sa.tunnel = o.count("tunnel") ? o.at("tunnel") : "static";
  return sa;
}

void set_crypto(const Options& o, ike::EspSa& sa) {
  sa.encryption = encryption(need(o, "enc"));
  sa.encryption_key = key(o, "enc-key");
  if (o.count("integ")) {
    sa.integrity = integrity(o.at("integ"));
    sa.integrity_key = key(o, "integ-key");
  }
  sa.esn = o.count("esn") > 0;
  if (o.count("replay")) sa.replay_window = u32(o, "replay");
  if (o.count("lifetime")) std::tie(sa.lifetime.soft_seconds, sa.lifetime.hard_seconds) = pair_of(o, "lifetime");
  if (o.count("lifetime-bytes"))
    std::tie(sa.lifetime.soft_bytes, sa.lifetime.hard_bytes) = pair_of(o, "lifetime-bytes");
}

StaticTunnel describe_tunnel(const Options& o, bool with_crypto) {
  StaticTunnel t{base_sa(o, true), base_sa(o, false), {}};
  if (with_crypto) {
    set_crypto(o, t.in);
    set_crypto(o, t.out);
  }
  if (o.count("encap")) {
    auto [sport, dport] = pair_of(o, "encap");
    // Ports as seen by each SA: outbound from our port to the peer's.
    t.out.encap = ike::UdpEncap{static_cast<std::uint16_t>(sport), static_cast<std::uint16_t>(dport)};
    t.in.encap = ike::UdpEncap{static_cast<std::uint16_t>(dport), static_cast<std::uint16_t>(sport)};
  }
  auto local = address(o, "local"), remote = address(o, "remote");
  auto local_net = subnet(o, "local-net"), remote_net = subnet(o, "remote-net");
  auto policy = [&](ike::Direction dir) {
    bool out = dir == ike::Direction::Out;
    ike::Policy p;
    p.id = {out ? local_net : remote_net, out ? remote_net : local_net, dir, 0, 0};
    p.tmpl_src = out ? local : remote;
    p.tmpl_dst = out ? remote : local;
    p.reqid = t.out.reqid;
    p.tunnel = t.out.tunnel;
    return p;
  };
  t.policies = {policy(ike::Direction::Out), policy(ike::Direction::In), policy(ike::Direction::Fwd)};
  return t;
}

int report(const ike::Error& e) {
  std::fprintf(stderr, "kite-xfrm-static: %s\n", e.message.c_str());
  return 1;
}

// Installs everything or, on the first failure, removes what it added.
int add(XfrmKernel& kernel, const Options& o) {
  auto t = describe_tunnel(o, true);
  std::vector<std::function<void()>> undo;
  auto rollback = [&](const ike::Error& e) {
    for (auto it = undo.rbegin(); it != undo.rend(); ++it) (*it)();
    return report(e);
  };
  for (const auto* sa : {&t.in, &t.out}) {
    if (auto ok = kernel.add_sa(*sa); !ok) return rollback(ok.error());
    undo.push_back([&kernel, id = sa->id] { (void)kernel.delete_sa(id); });
  }
  for (const auto& p : t.policies) {
    if (auto ok = kernel.add_policy(p); !ok) return rollback(ok.error());
    undo.push_back([&kernel, id = p.id] { (void)kernel.delete_policy(id); });
  }
  std::printf("installed %s and %s with 3 policies (reqid %#x)\n", describe(t.in).c_str(),
              describe(t.out).c_str(), t.out.reqid);
  return 0;
}

int del(XfrmKernel& kernel, const Options& o) {
  auto t = describe_tunnel(o, false);
  int rc = 0;
  for (const auto& p : t.policies)
    if (auto ok = kernel.delete_policy(p.id); !ok) rc = report(ok.error());
  for (const auto* sa : {&t.out, &t.in})
    if (auto ok = kernel.delete_sa(sa->id); !ok) rc = report(ok.error());
  return rc;
}

long long unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

int show(XfrmKernel& kernel, const Options& o) {
  ike::SaId id{address(o, "dst"), u32(o, "spi")};
  auto c = kernel.query_sa(id);
  if (!c) return report(c.error());
  std::printf("spi %#010x bytes %llu packets %llu replay_errors %llu integrity_errors %llu added %lld used %lld\n",
              id.spi, static_cast<unsigned long long>(c->bytes),
              static_cast<unsigned long long>(c->packets),
              static_cast<unsigned long long>(c->replay_errors),
              static_cast<unsigned long long>(c->integrity_errors), unix_seconds(c->added),
              c->last_used ? unix_seconds(*c->last_used) : 0LL);
  return 0;
}

int list(XfrmKernel& kernel) {
  auto sas = kernel.list_sas();
  if (!sas) return report(sas.error());
  for (const auto& sa : *sas)
    std::printf("sa %s %s -> %s reqid %#x%s\n", fmt::format("{:#010x}", sa.id.spi).c_str(),
                sa.src.to_string().c_str(), sa.id.dst.to_string().c_str(), sa.reqid,
                is_owned_reqid(sa.reqid) ? " kite" : "");
  auto policies = kernel.list_policies();
  if (!policies) return report(policies.error());
  for (const auto& p : *policies) {
    bool owned = false;
    for (auto r : p.reqids) owned = owned || is_owned_reqid(r);
    std::printf("%s priority %u%s\n", describe(p.id).c_str(), p.priority, owned ? " kite" : "");
  }
  return 0;
}

int allocspi(XfrmKernel& kernel, const Options& o) {
  auto spi = kernel.allocate_spi(address(o, "remote"), address(o, "local"), reqid(o));
  if (!spi) return report(spi.error());
  std::printf("%#010x\n", *spi);
  return 0;
}

int encap_socket(const Options& o) {
  bool v6 = o.count("family") && o.at("family") == "6";
  auto port = static_cast<std::uint16_t>(u32(o, "port"));
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in in4{AF_INET, htons(port), {INADDR_ANY}, {}};
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(port);
  int encap = UDP_ENCAP_ESPINUDP;
  bool ok = fd >= 0 &&
            (v6 ? bind(fd, reinterpret_cast<sockaddr*>(&in6), sizeof in6)
                : bind(fd, reinterpret_cast<sockaddr*>(&in4), sizeof in4)) == 0 &&
            setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &encap, sizeof encap) == 0;
  if (!ok) return report(ike::Error{fmt::format("UDP encap socket on port {} failed", port)});
  std::printf("encap socket on port %u ready\n", port);
  std::fflush(stdout);
  for (;;) pause();
}

int run(const std::string& command, const Options& o) {
  if (command == "encap-socket") return encap_socket(o);
  auto kernel = XfrmKernel::open();
  if (!kernel) return report(kernel.error());
  auto& k = **kernel;
  if (command == "add") return add(k, o);
  if (command == "del") return del(k, o);
  if (command == "show") return show(k, o);
  if (command == "list") return list(k);
  if (command == "allocspi") return allocspi(k, o);
  if (command == "flush") {
    if (auto ok = k.flush_owned(); !ok) return report(ok.error());
    return 0;
  }
  throw Usage{fmt::format("unknown command {}", command)};
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) throw Usage{"missing command (add del show list allocspi flush)"};
    return run(argv[1], parse_options(argc, argv));
  } catch (const Usage& u) {
    std::fprintf(stderr, "kite-xfrm-static: %s (see the comment at the top of the source)\n",
                 u.message.c_str());
    return 2;
  }
}
