// What an event must have, and how each problem is worded (duly::event_check in
// duly/event.hpp): the one place the readers of JSON Lines and CSV and the
// Python bindings take their verdicts and messages from.
#include <duly/event.hpp>

#include <utility>

namespace duly {

namespace {

constexpr std::string_view field_names[3] = {"id", "at", "event"};

std::string_view name_of(event_check::field f) noexcept { return field_names[static_cast<int>(f)]; }

std::string prefixed(event_check::field f, std::string_view text) {
  std::string out(name_of(f));
  out += ": ";
  out += text;
  return out;
}

// Instants in messages: ISO-8601 for the years 0001 to 9999, seconds otherwise.
std::string instant_text(instant t) {
  constexpr std::int64_t year_1 = -62135596800, year_10000 = 253402300800;
  const std::int64_t s = t.time_since_epoch().count();
  if (s < year_1 || s >= year_10000) return std::to_string(s) + "s";
  return format_instant(t);
}

}  // namespace

std::string event_check::describe(shape s, std::string_view literal) {
  switch (s) {
    case shape::null: return "null";
    case shape::boolean:
    case shape::number:
    case shape::other: return std::string(literal);
    case shape::string: return "a string";
    case shape::object: return "an object";
    case shape::list: return "a list";
  }
  return "a value";
}

// --- single values ------------------------------------------------------------

std::string event_check::text_problem(field f, std::string_view text) {
  if (text.empty()) return prefixed(f, "empty");
  // Spaces alone name nothing: a record " " and a record "" would be two
  // different records that no person can tell apart.
  for (const char c : text)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\v' && c != '\f') return {};
  return prefixed(f, "blank (only whitespace)");
}

result<instant> event_check::read_at(std::string_view text, const time_zone* zone) {
  auto t = zone != nullptr ? parse_instant(text, *zone) : parse_instant(text);
  if (!t) return fail(t.error().code(), prefixed(field::at, t.error().message()));
  if (std::string p = at_problem(*t); !p.empty()) return fail(errc::out_of_range, std::move(p));
  return t;
}

std::string event_check::at_problem(instant t) {
  if (t >= min_supported_instant && t < max_supported_instant) return {};
  return "at: instant " + instant_text(t) + " is outside the supported years 1970 to 2199";
}

std::string event_check::missing_text(field f) { return prefixed(f, "missing"); }

std::string event_check::wrong_type_text(field f, std::string_view got, std::string_view also) {
  std::string expected;
  switch (f) {
    case field::id: expected = "a string or an integer"; break;
    case field::at: expected = "an ISO-8601 instant as a string"; break;
    case field::event: expected = "a string"; break;
  }
  if (!also.empty()) {
    expected += " or ";
    expected += also;
  }
  return prefixed(f, "expected " + expected + ", got " + std::string(got));
}

std::string event_check::unreadable_text(field f, std::string_view why) { return prefixed(f, why); }

std::string event_check::attribute_text(std::string_view name, std::string_view why) {
  std::string out = "attribute '";
  out += name;
  out += "': ";
  out += why;
  return out;
}

std::string event_check::attribute_name_problem(std::string_view name) {
  return name.empty() ? attribute_text("", "the name is empty") : std::string();
}

std::string event_check::nested() {
  return "objects are not supported (a value is text, a number, a bool, null, or a list of text, numbers and bools)";
}

std::string event_check::list_item_problem(std::size_t index, std::string_view got) {
  return "item " + std::to_string(index) + " of the list is " + std::string(got) +
         ": a list holds only text, numbers and bools (no null, no lists, no objects)";
}

std::string event_check::list_too_long(std::size_t items) {
  return "a list of " + std::to_string(items) + " items is over the limit of " + std::to_string(max_list_items) +
         " items";
}

std::string event_check::inexact_integer(std::string_view literal) {
  return std::string(literal) + " is an integer beyond 2^53, which a number cannot hold exactly; write it as a string (\"" +
         std::string(literal) + "\")";
}

std::string event_check::not_a_number(std::string_view text) {
  return "'" + std::string(text) + "' is not a number";
}

std::string event_check::not_a_bool(std::string_view text) {
  return "'" + std::string(text) + "' is not a bool (expected true or false)";
}

namespace {

// A value as a message shows it: text in double quotes (cut at 40 bytes),
// numbers and bools as themselves, a list as "a list".
std::string shown(const value& v) {
  switch (v.kind()) {
    case value_kind::string: {
      std::string_view t = v.as_string();
      const bool cut = t.size() > 40;
      if (cut) {
        std::size_t n = 40;
        while (n > 0 && (static_cast<unsigned char>(t[n]) & 0xC0) == 0x80) --n;  // whole UTF-8 characters
        t = t.substr(0, n);
      }
      return "\"" + std::string(t) + (cut ? "...\"" : "\"");
    }
    case value_kind::null: return "null";
    default: break;
  }
  if (v.kind() != value_kind::boolean && v.kind() != value_kind::number) return "a list";
  return v.to_json();
}

bool of_type(attribute_type t, const value& v) {
  switch (t) {
    case attribute_type::text: return v.kind() == value_kind::string;
    case attribute_type::number: return v.kind() == value_kind::number;
    case attribute_type::boolean: return v.kind() == value_kind::boolean;
    case attribute_type::timestamp: {
      if (v.kind() != value_kind::string) return false;
      const auto at = parse_instant(v.as_string());
      return at && *at >= min_supported_instant && *at < max_supported_instant;
    }
    case attribute_type::duration:
      if (v.kind() == value_kind::number) return v.as_number() >= 0 && v.as_number() <= static_cast<double>(max_duration.count());
      return v.kind() == value_kind::string && parse_duration(v.as_string()).has_value();
    case attribute_type::list: return v.kind() == value_kind::list;
  }
  return true;
}

}  // namespace

std::string event_check::declared_problem(const attribute_spec& a, const value& v) {
  if (v.is_null() || of_type(a.type, v)) return {};
  return "declared " + std::string(to_string(a.type)) + ", got " + shown(v);
}

void event_check::set_declared(std::span<const attribute_spec> declared) {
  declared_.clear();
  for (const auto& a : declared) declared_.emplace(a.name, &a);
}

const attribute_spec* event_check::declared(std::string_view name) const noexcept {
  if (declared_.empty()) return nullptr;
  const auto it = declared_.find(name);
  return it == declared_.end() ? nullptr : it->second;
}

void reject_declared_mismatches(std::vector<event>& events, std::span<const attribute_spec> declared,
                                std::vector<rejected_row>& rejected) {
  if (declared.empty()) return;
  event_check check;
  check.set_declared(declared);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    std::vector<std::string> problems;
    for (const auto& u : events[i].updates)
      if (const attribute_spec* a = check.declared(u.name))
        if (std::string why = event_check::declared_problem(*a, u.value.view()); !why.empty())
          problems.push_back(event_check::attribute_text(u.name, why));
    if (!problems.empty()) {
      rejected.push_back(rejected_row{events[i].line, event_check::join(problems), events[i].id});
      continue;
    }
    if (kept != i) events[kept] = std::move(events[i]);
    ++kept;
  }
  events.resize(kept);
}

std::string event_check::join(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) {
    if (!out.empty()) out += "; ";
    out += p;
  }
  return out;
}

// --- one row ------------------------------------------------------------------

void event_check::start(event& e) {
  e_ = &e;
  e.id.clear();
  e.name.clear();
  e.at = instant{};
  e.fraction = 0;
  e.updates.clear();
  problems_.clear();
  names_.clear();
  seen_[0] = seen_[1] = seen_[2] = false;
}

// Marks `f` seen; false (with the problem) when it was seen before.
#define DULY_FIRST_TIME(f)                                      \
  do {                                                          \
    bool& seen = seen_[static_cast<int>(f)];                    \
    if (seen) return problems_.push_back(prefixed(f, "appears twice")); \
    seen = true;                                                \
  } while (false)

void event_check::id(std::string text) {
  DULY_FIRST_TIME(field::id);
  if (std::string p = text_problem(field::id, text); !p.empty()) return problems_.push_back(std::move(p));
  e_->id = std::move(text);
}

void event_check::at(std::string_view text) {
  DULY_FIRST_TIME(field::at);
  auto t = read_at(text, zone_);
  if (!t) return problems_.push_back(t.error().message());
  e_->at = *t;
  e_->fraction = instant_fraction(text);
}

void event_check::at(instant t) {
  DULY_FIRST_TIME(field::at);
  if (std::string p = at_problem(t); !p.empty()) return problems_.push_back(std::move(p));
  e_->at = t;
}

void event_check::name(std::string text) {
  DULY_FIRST_TIME(field::event);
  if (std::string p = text_problem(field::event, text); !p.empty()) return problems_.push_back(std::move(p));
  e_->name = std::move(text);
}

void event_check::missing(field f) {
  DULY_FIRST_TIME(f);
  problems_.push_back(missing_text(f));
}

void event_check::wrong_type(field f, std::string_view got, std::string_view also) {
  DULY_FIRST_TIME(f);
  problems_.push_back(wrong_type_text(f, got, also));
}

void event_check::unreadable(field f, std::string_view why) {
  DULY_FIRST_TIME(f);
  problems_.push_back(prefixed(f, why));
}

#undef DULY_FIRST_TIME

void event_check::attribute(std::string name, owned_value v) {
  if (name.empty()) return problems_.push_back(attribute_name_problem(name));
  if (is_duplicate(name)) return problems_.push_back(attribute_text(name, "appears twice"));
  if (v.kind() == value_kind::list) {
    if (const std::size_t n = v.view().list_size(); n > max_list_items)
      return problems_.push_back(attribute_text(name, list_too_long(n)));
  }
  if (const attribute_spec* a = declared(name)) {
    if (std::string why = declared_problem(*a, v.view()); !why.empty())
      return problems_.push_back(attribute_text(name, why));
  }
  e_->updates.push_back(attribute_update{std::move(name), std::move(v)});
}

void event_check::attribute_problem(std::string_view name, std::string_view why) {
  // The name's own problems come first, as for a value that could be taken.
  if (name.empty()) return problems_.push_back(attribute_name_problem(name));
  if (is_duplicate(name)) return problems_.push_back(attribute_text(name, "appears twice"));
  problems_.push_back(attribute_text(name, why));
}

void event_check::problem(std::string text) { problems_.push_back(std::move(text)); }

bool event_check::finish() {
  for (int f = 0; f < 3; ++f)
    if (!seen_[f]) problems_.push_back(missing_text(static_cast<field>(f)));
  return problems_.empty();
}

std::string event_check::reason() const { return join(problems_); }

// Linear for the usual handful of attributes, a set for pathological rows.
bool event_check::is_duplicate(std::string_view name) {
  const auto& ups = e_->updates;
  if (ups.size() < 16) {
    for (const auto& u : ups)
      if (u.name == name) return true;
    return false;
  }
  if (names_.empty())
    for (const auto& u : ups) names_.insert(u.name);
  return !names_.insert(std::string(name)).second;
}

}  // namespace duly
