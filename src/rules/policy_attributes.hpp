// A policy's declared attributes (not installed): reading `attributes:` (each
// attribute's type and, for text, its values) and checking every name the
// policy reads against it. An undeclared name is an error that suggests the
// closest declared name, or quotes when the name is a declared text value
// (`priority == P1`: did you mean "P1"?); a text literal that is not a declared
// value is a warning. Without an `attributes:` section nothing is checked.
//
// The policy reader (policy.cpp) makes one per document, calls read() before
// anything else, check_condition() and check_key() for each condition and key
// that names an attribute, and check_every_name_declared() last.
#pragma once

#include <functional>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include <duly/policy.hpp>

#include "base/document.hpp"

namespace duly::detail {

class attribute_checks {
 public:
  // Reports into `doc`; declarations go into out.spec.attributes.
  attribute_checks(document& doc, policy::impl& out) : doc_(doc), out_(out) {}

  // Reads the `attributes:` section (absent or null: no declarations).
  void read(const YAML::Node& node);

  // A problem in a condition's text, at its 1-based `column`: an error, or a
  // warning (a text literal that is not a declared value).
  struct condition_problem {
    int column = 0;
    std::string message;
    bool warning = false;
  };
  // With declarations: every attribute `c` reads is declared, and a text
  // literal compared with a declared text attribute is one of its values.
  // The caller places the problems in the document.
  [[nodiscard]] std::vector<condition_problem> check_condition(const condition& c);

  // With declarations: an attribute named by a key (start_at, *_from) is
  // declared, and of a type the key can read (`reads` says which, for the
  // message); reported at `node`.
  void check_key(const std::string& name, const YAML::Node& node, const std::string& path,
                 std::initializer_list<attribute_type> types, const char* reads);

  // The net under the checks above: any name the policy reads (its slots, the
  // list `duly check --explain-names` prints) that is not declared, reported
  // at `node` (the `attributes:` section).
  void check_every_name_declared(const YAML::Node& node);

 private:
  document& doc_;
  policy::impl& out_;
  bool declaring_ = false;                       // the policy has an `attributes:` section
  std::set<std::string, std::less<>> reported_;  // undeclared names already reported

  [[nodiscard]] const attribute_spec* declared(std::string_view name) const;
  [[nodiscard]] std::string undeclared(const std::string& name, const std::vector<std::string>& compared_with) const;
};

}  // namespace duly::detail
