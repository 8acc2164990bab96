// A policy's declared attributes: `attributes:` read, and the names the policy
// reads checked against it (policy_attributes.hpp).
#include "rules/policy_attributes.hpp"

#include <algorithm>

#include "base/text.hpp"
#include "rules/compiled_policy.hpp"
#include "rules/policy_parts.hpp"

namespace duly::detail {

namespace {

// "a, b, c"
std::string listed(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

void attribute_checks::read(const YAML::Node& node) {
  if (!node || node.IsNull()) return;
  if (!doc_.is_map(node, "attributes")) return;
  doc_.check_unique_keys(node, "attributes");
  declaring_ = true;
  const char* types = "text, number, bool, instant, duration or list";
  for (const auto& kv : node) {
    const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
    const std::string path = join("attributes", name);
    if (!is_identifier(name) || name == "event") {
      doc_.report(kv.first, path, "expected an attribute name (letters, digits, _ and .), got '" + name + "'");
      continue;
    }
    if (name == "id" || name == "at") {
      doc_.report(kv.first, path, "'" + name + "' is an event's own field, not an attribute");
      continue;
    }
    attribute_spec a;
    a.name = name;
    a.where = where(kv.first, doc_.source_name());
    const YAML::Node& d = kv.second;
    // Kept even when wrong, so that conditions reading it are not also told
    // it is not declared; its own problems are reported.
    if (doc_.is_map(d, path)) {
      doc_.check_keys(d, path, {"type", "values"});
      if (!d["type"]) {
        doc_.report(d, join(path, "type"), std::string("missing: the attribute's type, one of ") + types);
      } else if (auto t = doc_.string(d["type"], join(path, "type"))) {
        static constexpr attribute_type all[] = {attribute_type::text,    attribute_type::number,
                                                 attribute_type::boolean, attribute_type::timestamp,
                                                 attribute_type::duration, attribute_type::list};
        bool known = false;
        for (const auto k : all)
          if (*t == to_string(k)) {
            a.type = k;
            known = true;
          }
        if (!known) doc_.report(d["type"], join(path, "type"), "unknown type '" + *t + "' (expected " + types + ")");
      }
      if (const auto v = d["values"]) {
        const std::string vpath = join(path, "values");
        if (a.type != attribute_type::text) {
          doc_.report(v, vpath, "values are for text attributes only (this one is " +
                                    std::string(to_string(a.type)) + ")");
        } else if (doc_.is_list(v, vpath)) {
          if (v.size() == 0) doc_.report(v, vpath, "empty: list the values, or leave values out for any text");
          for (std::size_t i = 0; i < v.size(); ++i) {
            auto text = doc_.string(v[i], detail::index(vpath, i));
            if (!text) continue;
            if (std::find(a.values.begin(), a.values.end(), *text) != a.values.end())
              doc_.report(v[i], detail::index(vpath, i), "'" + *text + "' is listed twice");
            else
              a.values.push_back(*text);
          }
        }
      }
    }
    out_.spec.attributes.push_back(std::move(a));
  }
}

std::vector<attribute_checks::condition_problem> attribute_checks::check_condition(const condition& c) {
  std::vector<condition_problem> problems;
  if (!declaring_) return problems;
  for (const auto& use : c.attributes_read()) {
    const attribute_spec* a = declared(use.name);
    if (a == nullptr) {
      reported_.insert(use.name);
      problems.push_back({use.column, undeclared(use.name, use.compared_with), false});
      continue;
    }
    if (a->type != attribute_type::text || a->values.empty()) continue;
    for (const auto& lit : use.literals) {
      if (std::find(a->values.begin(), a->values.end(), lit.text) != a->values.end()) continue;
      problems.push_back({lit.column,
                          "\"" + lit.text + "\" is not a declared value of '" + a->name +
                              "' (declared: " + listed(a->values) + ")",
                          true});
    }
  }
  return problems;
}

void attribute_checks::check_key(const std::string& name, const YAML::Node& node, const std::string& path,
                                 std::initializer_list<attribute_type> types, const char* reads) {
  if (!declaring_) return;
  const attribute_spec* a = declared(name);
  if (a == nullptr) {
    reported_.insert(name);
    doc_.report(node, path, undeclared(name, {}));
    return;
  }
  if (std::find(types.begin(), types.end(), a->type) == types.end()) {
    const std::string key = path.substr(path.rfind('.') + 1);
    doc_.report(node, path,
                "'" + name + "' is declared " + std::string(to_string(a->type)) + ", but " + key + " reads " + reads);
  }
}

void attribute_checks::check_every_name_declared(const YAML::Node& node) {
  // Only on an otherwise sound policy: a condition that did not compile may
  // have left a name half read.
  if (!declaring_ || !doc_.ok()) return;
  for (const auto& name : out_.slots.names())
    if (!declared(name) && !reported_.count(name))
      doc_.report(node, "attributes", "'" + name + "' is read by the policy but not declared");
}

const attribute_spec* attribute_checks::declared(std::string_view name) const {
  for (const auto& a : out_.spec.attributes)
    if (a.name == name) return &a;
  return nullptr;
}

// Why `name` may not be read: it is not declared. When it is a declared
// value of a text attribute (of one it is compared with first), it was
// meant as text; otherwise the closest declared name, or the declared names.
std::string attribute_checks::undeclared(const std::string& name, const std::vector<std::string>& compared_with) const {
  const auto has_value = [&](const attribute_spec* a) {
    return a != nullptr && a->type == attribute_type::text &&
           std::find(a->values.begin(), a->values.end(), name) != a->values.end();
  };
  const attribute_spec* owner = nullptr;
  for (const auto& other : compared_with)
    if (!owner && has_value(declared(other))) owner = declared(other);
  for (const auto& a : out_.spec.attributes)
    if (!owner && has_value(&a)) owner = &a;
  const std::string head = "'" + name + "' is not a declared attribute";
  if (owner) return head + ": did you mean \"" + name + "\"? (a value of '" + owner->name + "'; text goes in quotes)";
  std::vector<std::string> names;
  for (const auto& a : out_.spec.attributes) names.push_back(a.name);
  if (const std::string close = detail::closest(name, names); !close.empty())
    return head + ": did you mean '" + close + "'?";
  return head + " (declared: " + listed(names) + ")";
}

}  // namespace duly::detail
