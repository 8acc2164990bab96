// Names, positions, escalation points and `do` lists (policy_parts.hpp).
#include "rules/policy_parts.hpp"

#include <cstdlib>

#include "base/json_writer.hpp"
#include "base/text.hpp"

namespace duly::detail {

bool is_identifier(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || detail::is_digit(c) || c == '_' ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

source_position where(const YAML::Node& node, const std::string& file) {
  source_position at{file, 0, 0};
  const YAML::Mark mark = node.Mark();
  if (!mark.is_null()) {
    at.line = mark.line + 1;
    at.column = mark.column + 1;
  }
  return at;
}

result<escalation_point> parse_point(std::string_view text) {
  const std::string_view original = text;
  text = detail::trim(text);
  escalation_point p;
  const auto bad = [&] {
    return fail(errc::invalid_argument, "invalid point '" + std::string(original) +
                                            "': expected P% (e.g. 75%), due, due + D, due - D, start + D, at_risk or manual");
  };
  if (text == "at_risk" || text == "manual") {
    p.type = text == "at_risk" ? escalation_point::kind::at_risk : escalation_point::kind::manual;
    return p;
  }
  if (!text.empty() && text.back() == '%') {
    std::int64_t n = 0;
    const auto digits = detail::trim(text.substr(0, text.size() - 1));
    if (digits.empty()) return bad();
    for (const char c : digits) {
      if (!detail::is_digit(c) || n > 100000) return bad();
      n = n * 10 + (c - '0');
    }
    p.type = escalation_point::kind::percent;
    p.percent = n;
    return p;
  }
  std::string_view base = text;
  std::string_view rest;
  if (const auto k = text.find_first_of("+-"); k != std::string_view::npos) {
    base = detail::trim(text.substr(0, k));
    rest = text.substr(k);
  }
  if (base == "due") {
    p.type = escalation_point::kind::due;
  } else if (base == "start") {
    p.type = escalation_point::kind::start;
  } else {
    return bad();
  }
  if (rest.empty()) {
    if (p.type == escalation_point::kind::start) return bad();
    return p;
  }
  const bool minus = rest.front() == '-';
  auto d = parse_duration(detail::trim(rest.substr(1)));
  if (!d)
    return fail(errc::invalid_argument, "invalid point '" + std::string(original) + "': " + d.error().message());
  if (d->is_business_days())
    return fail(errc::invalid_argument, "invalid point '" + std::string(original) +
                                            "': business days cannot offset a point; use hours");
  if (d->is_calendar_days())
    return fail(errc::invalid_argument, "invalid point '" + std::string(original) +
                                            "': calendar days cannot offset a point; use hours");
  p.offset = minus ? -d->value : d->value;
  return p;
}


std::string actions_json(const YAML::Node& n, std::size_t& budget, int depth) {
  if (budget == 0 || depth > 64) {
    budget = 0;
    return {};
  }
  const auto spend = [&](const std::string& s) {
    budget = s.size() >= budget ? 0 : budget - s.size();
    return budget > 0;
  };
  switch (n.Type()) {
    case YAML::NodeType::Sequence: {
      std::string s = "[";
      for (std::size_t i = 0; i < n.size() && budget > 0; ++i) {
        if (i) s += ',';
        const std::string item = actions_json(n[i], budget, depth + 1);
        if (!spend(item)) return {};
        s += item;
      }
      return s + "]";
    }
    case YAML::NodeType::Map: {
      std::string s = "{";
      bool first = true;
      for (const auto& kv : n) {
        if (budget == 0) return {};
        if (!first) s += ',';
        first = false;
        std::string key;
        detail::append_json_string(key, kv.first.IsScalar() ? kv.first.Scalar() : std::string());
        const std::string item = actions_json(kv.second, budget, depth + 1);
        if (!spend(key) || !spend(item)) return {};
        s += key + ":" + item;
      }
      return s + "}";
    }
    case YAML::NodeType::Scalar: {
      const std::string& v = n.Scalar();
      std::string out;
      if (n.Tag() != "!") {  // plain scalars may be numbers or booleans
        if (v == "true" || v == "false" || v == "null") return v;
        if (detail::is_json_number(v)) return v;
        // Numbers YAML reads but JSON does not write ("+1", ".5", "1.", "01"):
        // written as JSON writes them.
        char* end = nullptr;
        const double d = std::strtod(v.c_str(), &end);
        if (!v.empty() && end == v.c_str() + v.size() && v.find_first_not_of("+-0123456789.eE") == std::string::npos) {
          detail::append_json_number(out, d);
          return out;
        }
      }
      detail::append_json_string(out, v);
      return out;
    }
    default: return "null";
  }
}

}  // namespace duly::detail
