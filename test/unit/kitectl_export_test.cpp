// kitectl export (daemon/kitectl/cmd_export.cpp): from a config file on
// disk, no daemon; stdout, --json, --output (mode 0600) and exit codes.
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "daemon/kitectl/cli.hpp"

namespace fs = std::filesystem;
using Catch::Contains;

namespace {

constexpr const char* kConfig = R"(gateway:
  name: gw-guangzhou
  local_address: 203.195.147.82
customer_gateways:
  - name: idc-beijing
    address: 202.108.22.5
tunnels:
  - name: tom-vpn-conn
    customer_gateway: idc-beijing
    pre_shared_key: "123456"
    spd:
      - local: 192.168.1.0/24
        remote: [10.0.1.0/24, 10.0.2.0/24]
  - name: sm-tunnel
    customer_gateway: idc-beijing
    pre_shared_key: "123456"
    spd:
      - local: 192.168.2.0/24
        remote: [10.0.3.0/24]
    ipsec:
      encryption: sm4
      integrity: sm3
)";

// A private directory with kite.yaml (no tunnels.d), removed afterwards.
struct ConfigDir {
  fs::path dir;
  ConfigDir() {
    std::string tmpl = (fs::temp_directory_path() / "kitectl-export-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
    std::ofstream(dir / "kite.yaml") << kConfig;
  }
  ~ConfigDir() { fs::remove_all(dir); }
  std::string config() const { return (dir / "kite.yaml").string(); }
};

struct Run {
  int rc = 0;
  std::string out, err;
};

Run kitectl(std::vector<std::string> args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  std::ostringstream out, err;
  Run r;
  r.rc = kite::kitectl::run(views, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace

TEST_CASE("kitectl export writes the peer's swanctl.conf to stdout") {
  ConfigDir d;
  auto r = kitectl({"export", "tom-vpn-conn", "--config", d.config()});
  INFO(r.err);
  CHECK(r.rc == 0);
  CHECK_THAT(r.out, Contains("connections {\n  tom-vpn-conn {\n"));
  CHECK_THAT(r.out, Contains("local_addrs = 202.108.22.5\n"));
  CHECK_THAT(r.out, Contains("secret = \"123456\"\n"));
  CHECK(r.err.empty());

  auto ls = kitectl({"export", "tom-vpn-conn", "--format=libreswan", "--config", d.config()});
  CHECK(ls.rc == 0);
  CHECK_THAT(ls.out, Contains("conn tom-vpn-conn\n\tleft=202.108.22.5\n"));
}

TEST_CASE("kitectl export --json wraps the text") {
  ConfigDir d;
  auto r = kitectl({"--json", "export", "tom-vpn-conn", "--format", "swanctl", "--config", d.config()});
  REQUIRE(r.rc == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j.at("ok") == true);
  CHECK(j.at("format") == "swanctl");
  CHECK(j.at("tunnel") == "tom-vpn-conn");
  CHECK_THAT(j.at("text").get<std::string>(), Contains("connections {"));
}

TEST_CASE("kitectl export --output creates a file only its owner can read") {
  ConfigDir d;
  const auto file = (d.dir / "peer.conf").string();
  std::ofstream(file) << "old contents that are longer than nothing";
  ::chmod(file.c_str(), 0644);
  auto r = kitectl({"export", "tom-vpn-conn", "--config", d.config(), "--output", file});
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Contains("wrote " + file));
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  std::stringstream text;
  text << std::ifstream(file).rdbuf();
  CHECK(text.str().starts_with("# strongSwan swanctl.conf"));
  CHECK(text.str().find("old contents") == std::string::npos);
}

TEST_CASE("kitectl export failures and their exit codes") {
  ConfigDir d;
  auto missing = kitectl({"export", "nope", "--config", d.config()});
  CHECK(missing.rc == 1);
  CHECK_THAT(missing.err, Contains("no tunnel \"nope\""));

  auto sm = kitectl({"export", "sm-tunnel", "--config", d.config()});
  CHECK(sm.rc == 1);
  CHECK_THAT(sm.err, Contains("sm4 has no counterpart in strongSwan"));
  CHECK(sm.out.empty());

  auto sm_json = kitectl({"export", "sm-tunnel", "--config", d.config(), "--json"});
  CHECK(sm_json.rc == 1);
  CHECK(nlohmann::json::parse(sm_json.out).at("ok") == false);

  auto format = kitectl({"export", "tom-vpn-conn", "--format", "openswan", "--config", d.config()});
  CHECK(format.rc == 2);
  CHECK_THAT(format.err, Contains("unknown format \"openswan\""));

  auto invalid = kitectl({"export", "tom-vpn-conn", "--config", (d.dir / "absent.yaml").string()});
  CHECK(invalid.rc == 2);
  CHECK_THAT(invalid.err, Contains("invalid config"));

  CHECK(kitectl({"export", "--config", d.config()}).rc == 2);  // no tunnel named
}
