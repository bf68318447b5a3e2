// What the loader says about a config: every error and warning, each tied to
// a file, a 1-based line and column, and a rule name (SPEC.md §2), so that
// `kitectl check` can report all problems of a run at once.
//   kite.yaml:14:15: unknown-key: unknown key 'encryptoin' in ike; did you mean 'encryption'?
//   kite.yaml:30:19: warning: weak-algorithm: des is weak; prefer aes128 or stronger
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kite::conf {

enum class Severity { Error, Warning };

std::string_view severity_name(Severity s);  // "error" | "warning"

struct Diagnostic {
  Severity severity = Severity::Error;
  std::string file;
  int line = 0;    // 1-based; 0 when the problem has no position (unreadable file)
  int column = 0;  // 1-based
  std::string rule;    // stable, kebab-case: "spd-mapping-overlap"
  std::string detail;  // one human sentence, never a secret
  friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

// "file:line:col: rule: detail", warnings as "file:line:col: warning: rule: detail".
std::string format(const Diagnostic& d);

class Diagnostics {
 public:
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  void append(const Diagnostics& other);

  const std::vector<Diagnostic>& items() const { return items_; }
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  std::size_t error_count() const;
  std::size_t warning_count() const;
  bool has_errors() const { return error_count() > 0; }

  // Orders by file (in the order given), then line and column; stable, so
  // diagnostics of one spot keep the order they were found in.
  void sort(const std::vector<std::string>& file_order);

  // One formatted line per diagnostic, each ending in '\n'.
  std::string format() const;
  // A JSON array of {"severity","file","line","column","rule","detail"}
  // objects: the stable `--json` shape of kitectl check.
  std::string to_json() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace kite::conf
