#include "conf/diagnostics.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace kite::conf {

std::string_view severity_name(Severity s) {
  return s == Severity::Warning ? "warning" : "error";
}

std::string format(const Diagnostic& d) {
  std::string where = d.file;
  if (d.line > 0) where += fmt::format(":{}:{}", d.line, d.column);
  const char* prefix = d.severity == Severity::Warning ? "warning: " : "";
  return fmt::format("{}: {}{}: {}", where, prefix, d.rule, d.detail);
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

std::size_t Diagnostics::error_count() const {
  return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [](const auto& d) {
    return d.severity == Severity::Error;
  }));
}

std::size_t Diagnostics::warning_count() const { return items_.size() - error_count(); }

void Diagnostics::sort(const std::vector<std::string>& file_order) {
  auto rank = [&](const std::string& file) {
    auto it = std::find(file_order.begin(), file_order.end(), file);
    return static_cast<std::size_t>(it - file_order.begin());
  };
  std::stable_sort(items_.begin(), items_.end(), [&](const Diagnostic& a, const Diagnostic& b) {
    auto ra = rank(a.file), rb = rank(b.file);
    if (ra != rb) return ra < rb;
    if (a.line != b.line) return a.line < b.line;
    return a.column < b.column;
  });
}

std::string Diagnostics::format() const {
  std::string out;
  for (const auto& d : items_) out += conf::format(d) + '\n';
  return out;
}

// RFC 8259 §7: quote, backslash and control characters are escaped.
static std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        else
          out += c;
    }
  }
  return out + '"';
}

std::string Diagnostics::to_json() const {
  std::string out = "[";
  for (std::size_t i = 0; i < items_.size(); ++i) {
    const auto& d = items_[i];
    if (i > 0) out += ',';
    out += fmt::format(R"({{"severity":{},"file":{},"line":{},"column":{},"rule":{},"detail":{}}})",
                       json_string(severity_name(d.severity)), json_string(d.file), d.line,
                       d.column, json_string(d.rule), json_string(d.detail));
  }
  return out + "]";
}

}  // namespace kite::conf
