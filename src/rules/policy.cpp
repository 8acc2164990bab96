// Policy documents: reading (YAML or JSON, one schema, every problem reported at
// once with its position) and compiling into an immutable policy. The
// `attributes:` section and the checks against it are in policy_attributes.cpp.
#include <duly/policy.hpp>

#include <algorithm>
#include <cstdio>
#include <mutex>

#include "calendar/calendar_parse.hpp"
#include "base/document.hpp"
#include "rules/compiled_policy.hpp"
#include "rules/policy_attributes.hpp"
#include "rules/policy_parts.hpp"
#include "base/text.hpp"

namespace duly {

namespace {

using detail::document;
using detail::is_identifier;
using detail::join;

std::string fnv1a_hex(std::string_view text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// The raw column (0-based, in the source line) of the character `offset` into a
// scalar that starts at raw column `start`, undoing quoting and escapes.
// Returns -1 when the mapping is not possible (e.g. the scalar spans lines).
int raw_column(std::string_view line, int start, std::size_t offset) {
  if (start < 0 || static_cast<std::size_t>(start) >= line.size()) return -1;
  std::size_t i = static_cast<std::size_t>(start);
  const char quote = line[i];
  if (quote != '"' && quote != '\'') return static_cast<int>(i + offset);
  ++i;
  for (std::size_t decoded = 0; decoded < offset; ++decoded) {
    if (i >= line.size()) return -1;
    if (quote == '"' && line[i] == '\\') {
      const char e = i + 1 < line.size() ? line[i + 1] : '\0';
      i += e == 'u' ? 6 : e == 'U' ? 10 : e == 'x' ? 4 : 2;
    } else if (quote == '\'' && line[i] == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
      i += 2;
    } else {
      ++i;
    }
  }
  return static_cast<int>(i);
}

class policy_reader {
 public:
  policy_reader(document& doc, policy::impl& out) : doc_(doc), out_(out) {}

  void read(const YAML::Node& root) {
    if (!root.IsDefined() || root.IsNull()) {
      doc_.report(root, "", "empty policy: expected duly: 1, calendars and targets");
      return;
    }
    if (!doc_.is_map(root, "")) return;
    doc_.check_keys(root, "", {"duly", "attributes", "calendars", "targets", "escalations"});
    if (const auto v = root["duly"]) {
      if (auto n = doc_.integer(v, "duly"); n && *n != 1)
        doc_.report(v, "duly", "unsupported schema version " + std::to_string(*n) + " (this duly reads version 1)");
    }
    // Declarations first: every name read after them is checked against them.
    attributes_.read(root["attributes"]);
    read_calendars(root["calendars"]);
    read_targets(root["targets"]);
    read_escalations(root["escalations"]);
    attributes_.check_every_name_declared(root["attributes"]);
    std::stable_sort(out_.warnings.begin(), out_.warnings.end(), [](const diagnostic& a, const diagnostic& b) {
      return a.line != b.line ? a.line < b.line : a.column < b.column;
    });
  }

 private:
  document& doc_;
  policy::impl& out_;
  detail::attribute_checks attributes_{doc_, out_};  // `attributes:` and the checks against it

  std::optional<condition> compile(const YAML::Node& node, const std::string& path, bool risk_names = false) {
    auto text = doc_.string(node, path);
    if (!text) return std::nullopt;
    auto c = condition::compile(*text, out_.slots, risk_names, out_.calendar_names);
    if (c) {
      check_declared(*c, node, path);
      return std::move(*c);
    }
    const auto& d = c.error().diagnostics().front();
    doc_.add(in_condition(node, path, *text, d.column, d.message, errc::parse_error));
    return std::nullopt;
  }

  // A diagnostic at column `column` (1-based) of the condition `text` written
  // at `node`: moved into the document, under the character.
  diagnostic in_condition(const YAML::Node& node, const std::string& path, const std::string& text, int column,
                          const std::string& message, errc code) const {
    const YAML::Mark mark = node.Mark();
    const auto line_index = static_cast<std::size_t>(mark.line);
    const auto& lines = doc_lines();
    int col = -1;
    if (!mark.is_null() && line_index < lines.size() && text.find('\n') == std::string::npos)
      col = raw_column(lines[line_index], mark.column, static_cast<std::size_t>(std::max(0, column - 1)));
    diagnostic out;
    out.code = code;
    out.path = path;
    out.file = source_name();
    if (col >= 0) {
      out.message = message;
      out.line = mark.line + 1;
      out.column = col + 1;
      out.source_line = std::string(lines[line_index]);
    } else {
      out.message = message + " (column " + std::to_string(column) + " of the condition)";
      if (!mark.is_null()) {
        out.line = mark.line + 1;
        out.column = mark.column + 1;
        if (line_index < lines.size()) out.source_line = std::string(lines[line_index]);
      }
    }
    return out;
  }

  // The attribute checks' findings in condition `c`, placed under their
  // characters: errors into the document, warnings beside the policy.
  void check_declared(const condition& c, const YAML::Node& node, const std::string& path) {
    for (auto& p : attributes_.check_condition(c)) {
      diagnostic d = in_condition(node, path, c.text(), p.column, p.message, errc::invalid_argument);
      if (p.warning)
        out_.warnings.push_back(std::move(d));
      else
        doc_.add(std::move(d));
    }
  }

  const std::vector<std::string_view>& doc_lines() const { return doc_.lines(); }
  const std::string& source_name() const { return doc_.source_name(); }

  // Where `node` was written (1-based; 0 when the node has no mark).
  source_position where(const YAML::Node& node) const { return detail::where(node, source_name()); }
  // A condition as written (after it compiled: the node is a scalar).
  std::optional<condition_spec> written(const YAML::Node& t, const char* key) const {
    const YAML::Node n = t[key];
    if (!n || !n.IsScalar()) return std::nullopt;
    return condition_spec{n.Scalar(), where(n)};
  }

  // An attribute named by a key (start_at, *_from); with declarations it is
  // declared and of one of `types` (`reads` says which, for the message).
  std::optional<std::string> attribute_name(const YAML::Node& node, const std::string& path,
                                            std::initializer_list<attribute_type> types, const char* reads) {
    auto s = doc_.string(node, path);
    if (!s) return std::nullopt;
    if (!is_identifier(*s) || *s == "event") {
      doc_.report(node, path, "expected an attribute name (letters, digits, _ and .), got '" + *s + "'");
      return std::nullopt;
    }
    attributes_.check_key(*s, node, path, types, reads);
    return s;
  }

  void read_calendars(const YAML::Node& node) {
    if (!node || node.IsNull()) return;
    if (!doc_.is_map(node, "calendars")) return;
    doc_.check_unique_keys(node, "calendars");
    for (const auto& kv : node) {
      const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
      const std::string path = join("calendars", name);
      if (!is_identifier(name)) {
        doc_.report(kv.first, path, "a calendar name may use letters, digits, _, - and .");
        continue;
      }
      // An invalid calendar keeps its name (with a stand-in), so goals that use
      // it are not also told it does not exist; its own problems are reported.
      // `ics` paths are relative to the policy file's directory.
      const std::filesystem::path base_dir = std::filesystem::path(source_name()).parent_path();
      std::optional<calendar_spec> spec;
      if (kv.second.IsMap() && kv.second["file"]) {
        spec = calendar_file(kv.second, path, base_dir);
      } else {
        spec = detail::read_calendar(doc_, kv.second, path, base_dir);
      }
      std::optional<calendar> cal;
      if (spec) {
        auto made = calendar::make(std::move(*spec));
        if (made) {
          cal = std::move(*made);
        } else {
          doc_.report(kv.second, path, made.error().message(), made.error().code());
        }
      }
      out_.calendar_names.push_back(name);
      out_.calendars.push_back(cal ? std::move(*cal) : calendar());
      out_.spec.calendars.push_back(calendar_entry{name, where(kv.first)});
    }
  }

  // A calendar kept in its own file, `{file: PATH}` (PATH relative to the
  // policy's directory): its problems point into that file.
  std::optional<calendar_spec> calendar_file(const YAML::Node& node, const std::string& path,
                                             const std::filesystem::path& base_dir) {
    doc_.check_keys(node, path, {"file"});
    auto name = doc_.string(node["file"], join(path, "file"));
    if (!name) return std::nullopt;
    std::filesystem::path file(*name);
    if (file.is_relative()) file = base_dir / file;
    auto text = detail::read_file(file);
    if (!text) {
      doc_.report(node["file"], join(path, "file"), text.error().message(), text.error().code());
      return std::nullopt;
    }
    auto spec = parse_calendar_spec(*text, file.string(), file.parent_path());
    if (!spec) {
      for (auto d : spec.error().diagnostics()) {
        if (d.file.empty()) d.file = file.string();
        doc_.add(std::move(d));
      }
      return std::nullopt;
    }
    return std::move(*spec);
  }

  // "unknown calendar 'suport' (defined: support, eu); did you mean 'support'?"
  std::string unknown_calendar(const std::string& name) const {
    if (out_.calendar_names.empty()) return "unknown calendar '" + name + "' (the policy defines no calendars)";
    std::string known;
    for (const auto& n : out_.calendar_names) known += (known.empty() ? "" : ", ") + n;
    std::string message = "unknown calendar '" + name + "' (defined: " + known + ")";
    if (const auto near = detail::closest(name, out_.calendar_names); !near.empty())
      message += "; did you mean '" + std::string(near) + "'?";
    return message;
  }

  int calendar_index(const std::string& name) const {
    const auto it = std::find(out_.calendar_names.begin(), out_.calendar_names.end(), name);
    return it == out_.calendar_names.end() ? -1 : static_cast<int>(it - out_.calendar_names.begin());
  }

  std::optional<condition> optional_condition(const YAML::Node& t, const char* key, const std::string& path) {
    if (!t[key]) return std::nullopt;
    return compile(t[key], join(path, key));
  }

  void read_targets(const YAML::Node& node) {
    if (!node || node.IsNull()) {
      doc_.report(node, "targets", "missing: a policy needs at least one target");
      return;
    }
    if (!doc_.is_list(node, "targets")) return;
    if (node.size() == 0) doc_.report(node, "targets", "a policy needs at least one target");
    for (std::size_t i = 0; i < node.size(); ++i) read_target(node[i], detail::index("targets", i));
  }

  void read_target(const YAML::Node& t, const std::string& path) {
    if (!doc_.is_map(t, path)) return;
    doc_.check_keys(t, path, {"name", "labels", "applies_when", "start_when", "stop_when", "pause_when",
                              "reset_when", "cancel_when", "at_risk_when", "start_at", "goals"});
    target tg;
    compiled_target ctg;
    target_spec ts;
    ts.where = where(t);
    if (!t["name"]) {
      doc_.report(t, join(path, "name"), "missing: every target needs a name");
    } else if (auto n = doc_.string(t["name"], join(path, "name"))) {
      if (!is_identifier(*n)) {
        doc_.report(t["name"], join(path, "name"), "a target name may use letters, digits, _, - and .");
      } else if (std::any_of(out_.targets.begin(), out_.targets.end(),
                             [&](const target& o) { return o.name == *n; })) {
        doc_.report(t["name"], join(path, "name"), "target '" + *n + "' is defined twice");
      }
      tg.name = *n;
    }
    if (const auto labels = t["labels"]) {
      if (doc_.is_map(labels, join(path, "labels"))) {
        doc_.check_unique_keys(labels, join(path, "labels"));
        for (const auto& kv : labels) {
          const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
          if (auto v = doc_.string(kv.second, join(join(path, "labels"), key))) tg.labels[key] = *v;
        }
      }
    }
    tg.applies_when = optional_condition(t, "applies_when", path);
    if (!t["start_when"]) {
      doc_.report(t, join(path, "start_when"), "missing: when does the clock start? e.g. start_when: event == \"created\"");
    } else if (auto c = compile(t["start_when"], join(path, "start_when"))) {
      tg.start_when = std::move(*c);
    }
    tg.stop_when = optional_condition(t, "stop_when", path);
    tg.pause_when = optional_condition(t, "pause_when", path);
    tg.reset_when = optional_condition(t, "reset_when", path);
    tg.cancel_when = optional_condition(t, "cancel_when", path);
    if (t["at_risk_when"]) tg.at_risk_when = compile(t["at_risk_when"], join(path, "at_risk_when"), true);
    if (const auto s = t["start_at"]) {
      if (auto name = attribute_name(s, join(path, "start_at"), {attribute_type::timestamp}, "an instant")) {
        tg.start_at = *name;
        ctg.start_at_slot = out_.slots.slot_of(*name);
      }
    }
    const auto goals = t["goals"];
    const std::string gpath = join(path, "goals");
    if (!goals || goals.IsNull()) {
      doc_.report(t, gpath, "missing: give at least one goal, e.g. goals: [{within: 4h}]");
    } else if (doc_.is_list(goals, gpath)) {
      if (goals.size() == 0) doc_.report(goals, gpath, "give at least one goal, e.g. goals: [{within: 4h}]");
      for (std::size_t i = 0; i < goals.size(); ++i) {
        if (auto g = read_goal(goals[i], detail::index(gpath, i))) {
          tg.goals.push_back(std::move(g->view));
          ctg.goals.push_back(g->compiled);
          ts.goals.push_back(std::move(g->spec));
        }
      }
    }
    ts.name = tg.name;
    ts.labels = tg.labels;
    ts.applies_when = written(t, "applies_when");
    if (auto c = written(t, "start_when")) ts.start_when = std::move(*c);
    ts.stop_when = written(t, "stop_when");
    ts.pause_when = written(t, "pause_when");
    ts.reset_when = written(t, "reset_when");
    ts.cancel_when = written(t, "cancel_when");
    ts.at_risk_when = written(t, "at_risk_when");
    ts.start_at = tg.start_at;
    out_.targets.push_back(std::move(tg));
    out_.compiled_targets.push_back(std::move(ctg));
    out_.spec.targets.push_back(std::move(ts));
  }

  // A goal three ways: the public view, what its names resolved to, as written.
  struct read_goal_result {
    goal view;
    compiled_goal compiled;
    goal_spec spec;
  };

  std::optional<read_goal_result> read_goal(const YAML::Node& g, const std::string& path) {
    if (!doc_.is_map(g, path)) return std::nullopt;
    const std::size_t before = doc_.problem_count();
    doc_.check_keys(g, path,
                    {"when", "within", "calendar", "timezone_from", "calendar_from", "within_from", "due_from"});
    goal out;
    compiled_goal resolved;
    if (g["when"]) {
      if (auto c = compile(g["when"], join(path, "when"))) {
        out.when = std::move(*c);
        out.has_when = true;
      }
    }
    // Per-record commitments: attributes that name the calendar, give the
    // length, or give the due instant.
    const auto from = [&](const char* key, std::string& name, int& slot,
                          std::initializer_list<attribute_type> types, const char* reads) {
      if (!g[key]) return;
      if (auto n = attribute_name(g[key], join(path, key), types, reads)) {
        name = *n;
        slot = out_.slots.slot_of(*n);
      }
    };
    from("calendar_from", out.calendar_from, resolved.calendar_from_slot, {attribute_type::text}, "a calendar's name (text)");
    from("within_from", out.within_from, resolved.within_from_slot,
         {attribute_type::duration, attribute_type::number}, "a duration (or a number of seconds)");
    from("due_from", out.due_from, resolved.due_from_slot, {attribute_type::timestamp}, "an instant");
    if (!g["within"]) {
      if (!g["within_from"] && !g["due_from"])
        doc_.report(g, join(path, "within"), "missing: how long, e.g. within: 4h or within: 3bd");
    } else if (auto text = doc_.string(g["within"], join(path, "within"))) {
      if (auto d = parse_duration(*text)) {
        out.within = *d;
        out.has_within = true;
        out.within_text = std::string(*text);
      } else {
        doc_.report(g["within"], join(path, "within"), d.error().message(), d.error().code());
      }
    }
    if (g["calendar"]) {
      if (auto name = doc_.string(g["calendar"], join(path, "calendar"))) {
        out.calendar = *name;
        resolved.calendar_index = calendar_index(*name);
        if (resolved.calendar_index < 0) doc_.report(g["calendar"], join(path, "calendar"), unknown_calendar(*name));
      }
    }
    if (g["timezone_from"]) {
      if (auto name = attribute_name(g["timezone_from"], join(path, "timezone_from"), {attribute_type::text},
                                     "an IANA zone's name (text)")) {
        out.timezone_from = *name;
        resolved.timezone_slot = out_.slots.slot_of(*name);
      }
    }
    if (doc_.problem_count() != before) return std::nullopt;
    goal_spec written_goal{where(g),         written(g, "when"), out.within_text, out.calendar,
                           out.timezone_from, out.calendar_from, out.within_from, out.due_from};
    return read_goal_result{std::move(out), resolved, std::move(written_goal)};
  }

  void read_escalations(const YAML::Node& node) {
    if (!node || node.IsNull()) return;
    if (!doc_.is_list(node, "escalations")) return;
    for (std::size_t i = 0; i < node.size(); ++i) read_escalation(node[i], detail::index("escalations", i));
  }

  void read_escalation(const YAML::Node& e, const std::string& path) {
    if (!doc_.is_map(e, path)) return;
    const std::size_t before = doc_.problem_count();
    doc_.check_keys(e, path, {"name", "target", "at", "when", "raise_when", "repeat", "do", "deliver_in"});
    escalation out;
    compiled_escalation resolved;
    if (!e["name"]) {
      doc_.report(e, join(path, "name"), "missing: every escalation needs a name");
    } else if (auto n = doc_.string(e["name"], join(path, "name"))) {
      out.name = *n;
      // '/' separates the parts of a firing's key.
      if (n->empty())
        doc_.report(e["name"], join(path, "name"), "empty: every escalation needs a name");
      else if (n->find('/') != std::string::npos)
        doc_.report(e["name"], join(path, "name"),
                    "an escalation name may not contain '/' (it separates the parts of a firing's key): '" + *n + "'");
    }
    if (!e["target"]) {
      doc_.report(e, join(path, "target"), "missing: which target does it watch?");
    } else if (auto t = doc_.string(e["target"], join(path, "target"))) {
      out.target = *t;
      const auto it = std::find_if(out_.targets.begin(), out_.targets.end(),
                                   [&](const target& tg) { return tg.name == *t; });
      if (it == out_.targets.end()) {
        std::string known;
        for (const auto& tg : out_.targets) known += (known.empty() ? "" : ", ") + tg.name;
        doc_.report(e["target"], join(path, "target"), "unknown target '" + *t + "' (defined: " + known + ")");
      } else {
        resolved.target_index = static_cast<int>(it - out_.targets.begin());
      }
    }
    bool twice = false;
    for (std::size_t k = 0; k < out_.escalations.size() && resolved.target_index >= 0; ++k)
      twice = twice || (out_.escalations[k].name == out.name &&
                        out_.compiled_escalations[k].target_index == resolved.target_index);
    if (!out.name.empty() && twice)
      doc_.report(e["name"], join(path, "name"), "escalation '" + out.name + "' is defined twice for this target");
    if (!e["at"] && e["raise_when"]) {
      out.at.type = escalation_point::kind::manual;
      out.at_text = "manual";
    } else if (!e["at"]) {
      doc_.report(e, join(path, "at"), "missing: when does it fire? e.g. at: 75%, due, due + 2h, start + 30m, at_risk, manual");
    } else if (auto text = doc_.string(e["at"], join(path, "at"))) {
      out.at_text = *text;
      if (auto p = detail::parse_point(*text)) {
        out.at = *p;
      } else {
        doc_.report(e["at"], join(path, "at"), p.error().message());
      }
    }
    if (e["when"]) out.when = compile(e["when"], join(path, "when"));
    if (e["raise_when"]) out.raise_when = compile(e["raise_when"], join(path, "raise_when"));
    if (out.at.type == escalation_point::kind::manual && !e["raise_when"] && e["at"])
      doc_.report(e["at"], join(path, "at"), "at: manual needs raise_when, e.g. raise_when: event == \"alarm\"");
    if (out.at.type == escalation_point::kind::at_risk && resolved.target_index >= 0 &&
        !out_.targets[static_cast<std::size_t>(resolved.target_index)].at_risk_when)
      doc_.report(e["at"], join(path, "at"), "at: at_risk needs at_risk_when on target '" + out.target + "'");
    if (const auto r = e["repeat"]) {
      const std::string rpath = join(path, "repeat");
      if (doc_.is_map(r, rpath)) {
        doc_.check_keys(r, rpath, {"every", "times"});
        const bool timed = out.at.type != escalation_point::kind::manual;
        if (out.at.type == escalation_point::kind::at_risk) {
          doc_.report(r, rpath, "at_risk fires once a cycle: it cannot repeat");
        } else if (!r["every"] && timed) {
          doc_.report(r, join(rpath, "every"), "missing: how often, e.g. every: 1h");
        } else if (!r["every"]) {
        } else if (auto text = doc_.string(r["every"], join(rpath, "every"))) {
          auto d = parse_duration(*text);
          if (!d || !d->is_seconds() || d->value <= seconds{0}) {
            doc_.report(r["every"], join(rpath, "every"),
                        d ? "expected a positive duration in s, m, h or d, got '" + *text + "'"
                          : d.error().message());
          } else {
            out.repeat_every = d->value;
          }
        }
        if (!r["times"]) {
          doc_.report(r, join(rpath, "times"), "missing: how many repeats, e.g. times: 3");
        } else if (auto n = doc_.integer(r["times"], join(rpath, "times"))) {
          if (*n < 1 || *n > 10000) {
            doc_.report(r["times"], join(rpath, "times"), "must be 1 to 10000, got " + std::to_string(*n));
          } else {
            out.repeat_times = *n;
          }
        }
      }
    }
    // Handed over in a calendar's open hours: the calendar must be the policy's.
    if (e["deliver_in"]) {
      if (auto name = doc_.string(e["deliver_in"], join(path, "deliver_in"))) {
        out.deliver_in = *name;
        resolved.deliver_calendar = calendar_index(*name);
        if (resolved.deliver_calendar < 0)
          doc_.report(e["deliver_in"], join(path, "deliver_in"), unknown_calendar(*name));
      }
    }
    if (const auto d = e["do"]) {
      std::size_t budget = detail::max_actions_bytes;
      out.actions_json = detail::actions_json(d, budget, 0);
      if (budget == 0)
        doc_.report(d, join(path, "do"),
                    "actions too large or too deeply nested (over " + std::to_string(detail::max_actions_bytes) +
                        " bytes as JSON, or deeper than 64 levels)");
    } else {
      out.actions_json = "[]";
    }
    if (doc_.problem_count() != before) return;
    escalation_spec es;
    es.where = where(e);
    es.name = out.name;
    es.target = out.target;
    es.at = out.at_text;
    es.when = written(e, "when");
    es.raise_when = written(e, "raise_when");
    if (const auto r = e["repeat"]; r && r.IsMap() && r["every"] && r["every"].IsScalar()) es.repeat_every = r["every"].Scalar();
    es.repeat_times = out.repeat_times;
    es.actions_json = out.actions_json;
    es.deliver_in = out.deliver_in;
    out_.escalations.push_back(std::move(out));
    out_.compiled_escalations.push_back(resolved);
    out_.spec.escalations.push_back(std::move(es));
  }
};

}  // namespace

result<policy> parse_policy(std::string_view text, std::string_view source_name) {
  document doc(text, source_name);
  if (!doc.load()) return tl::unexpected(doc.make_error());
  auto out = std::make_shared<policy::impl>();
  out->source = std::string(text);
  out->fingerprint = fnv1a_hex(text);
  out->spec.source_name = std::string(source_name);
  policy_reader reader(doc, *out);
  reader.read(doc.root());
  if (!doc.ok()) return tl::unexpected(doc.make_error());
  return detail::policy_access::make(std::shared_ptr<const policy::impl>(std::move(out)));
}

result<policy> load_policy(const std::filesystem::path& path) {
  auto text = detail::read_file(path);
  if (!text) return tl::unexpected(std::move(text.error()));
  return parse_policy(*text, path.string());
}

}  // namespace duly
