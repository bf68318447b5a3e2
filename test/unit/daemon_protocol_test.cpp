// The control protocol's pure parts: request decoding, reply lines, and
// the bounded line framing.
#include <catch2/catch.hpp>

#include "daemon/protocol.hpp"

using namespace kite::daemon;

TEST_CASE("requests decode with defaults") {
  auto r = parse_request(R"({"command":"status"})");
  REQUIRE(r);
  CHECK(r->command == Command::Status);
  CHECK(r->tunnel.empty());
  CHECK(r->timeout == kDefaultUpTimeout);

  auto up = parse_request(R"({"command":"up","tunnel":"tom-vpn-conn","timeout":5})");
  REQUIRE(up);
  CHECK(up->command == Command::Up);
  CHECK(up->tunnel == "tom-vpn-conn");
  CHECK(up->timeout == std::chrono::seconds(5));

  auto mon = parse_request(R"({"command":"monitor","debug":true,"future":"ignored"})");
  REQUIRE(mon);
  CHECK(mon->debug);
}

TEST_CASE("every command round-trips through request_json") {
  for (auto c : {Command::Status, Command::Show, Command::Up, Command::Down, Command::Reload,
                 Command::Monitor, Command::Version}) {
    Request req;
    req.command = c;
    if (command_needs_tunnel(c)) req.tunnel = "t1";
    req.timeout = c == Command::Up ? std::chrono::seconds(7) : kDefaultUpTimeout;
    req.debug = c == Command::Monitor;
    std::string line = encode_line(request_json(req));
    REQUIRE(line.back() == '\n');
    line.pop_back();
    auto back = parse_request(line);
    REQUIRE(back);
    CHECK(*back == req);
    CHECK(command_from_name(command_name(c)) == c);
  }
}

TEST_CASE("bad requests are refused with a reason") {
  struct Case {
    const char* line;
    const char* reason;
  };
  const Case cases[] = {
      {"", "invalid JSON"},
      {"{", "invalid JSON"},
      {"[1,2]", "expected a JSON object"},
      {R"({"tunnel":"x"})", "missing \"command\""},
      {R"({"command":7})", "missing \"command\""},
      {R"({"command":"explode"})", "unknown command \"explode\""},
      {R"({"command":"show"})", "show needs \"tunnel\""},
      {R"({"command":"up","tunnel":""})", "up needs \"tunnel\""},
      {R"({"command":"down","tunnel":5})", "\"tunnel\" must be a string"},
      {R"({"command":"up","tunnel":"x","timeout":"soon"})", "\"timeout\" must be a number"},
      {R"({"command":"up","tunnel":"x","timeout":-1})", "\"timeout\" must be between"},
      {R"({"command":"up","tunnel":"x","timeout":99999})", "\"timeout\" must be between"},
      {R"({"command":"monitor","debug":"yes"})", "\"debug\" must be true or false"},
  };
  for (const auto& c : cases) {
    INFO(c.line);
    auto r = parse_request(c.line);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::StartsWith(c.reason));
  }
}

TEST_CASE("reply lines are one compact JSON object and never throw on bad UTF-8") {
  CHECK(encode_line(ok_reply()) == "{\"ok\":true}\n");
  CHECK(encode_line(error_reply("no tunnel named \"x\"")) ==
        "{\"error\":\"no tunnel named \\\"x\\\"\",\"ok\":false}\n");
  const std::string bad = encode_line(error_reply("bad \xff byte"));
  CHECK(bad.find('\n') == bad.size() - 1);
  CHECK(parse_object(bad.substr(0, bad.size() - 1)));
}

TEST_CASE("LineBuffer splits a stream into lines") {
  LineBuffer b(16);
  REQUIRE(b.append("one\ntw"));
  CHECK(b.next_line() == "one");
  CHECK_FALSE(b.next_line());
  REQUIRE(b.append("o\r\n\nthree\n"));
  CHECK(b.next_line() == "two");
  CHECK(b.next_line() == "");
  CHECK(b.next_line() == "three");
  CHECK_FALSE(b.next_line());
  CHECK(b.buffered() == 0);
}

TEST_CASE("LineBuffer refuses a line longer than its bound") {
  SECTION("unterminated") {
    LineBuffer b(8);
    CHECK(b.append("12345678"));
    CHECK_FALSE(b.append("9"));
    CHECK(b.overflowed());
    CHECK_FALSE(b.next_line());
  }
  SECTION("terminated in one chunk") {
    LineBuffer b(4);
    CHECK(b.append("123456789\n"));  // the tail after the newline is short
    CHECK_FALSE(b.next_line());
    CHECK(b.overflowed());
  }
  SECTION("exactly the bound is fine") {
    LineBuffer b(4);
    CHECK(b.append("1234\n"));
    CHECK(b.next_line() == "1234");
  }
}
