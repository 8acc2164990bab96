// Tests of the serve stage's parts (src/serve/): request bodies and their
// limits, mapping files and the events they make, HMAC-SHA256 against the
// RFC 4231 vectors, the token comparison, and the Prometheus text.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "serve/body.hpp"
#include "serve/crypto.hpp"
#include "serve/mapping.hpp"
#include "serve/metrics.hpp"

namespace {

using namespace duly::serve;

TEST(Body, KindFromContentTypeOrFirstCharacter) {
  EXPECT_EQ(kind_of("application/x-ndjson", "").value(), body_kind::jsonl);
  EXPECT_EQ(kind_of("text/csv; charset=utf-8", "").value(), body_kind::csv);
  EXPECT_EQ(kind_of("application/json", "  [{}]").value(), body_kind::json_array);
  EXPECT_EQ(kind_of("application/json", "{}").value(), body_kind::jsonl);
  EXPECT_EQ(kind_of("", "[").value(), body_kind::json_array);
  EXPECT_EQ(kind_of("", "{\"id\":1}").value(), body_kind::jsonl);
  EXPECT_EQ(kind_of("", "id,at,event\n").value(), body_kind::csv);
  auto bad = kind_of("application/xml", "<a/>");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().status, 415);
  EXPECT_EQ(bad.error().code, "unsupported_media_type");
}

TEST(Body, EveryKindReadsTheSameEvents) {
  const body_limits limits;
  const std::string line = R"({"id":"A","at":"2026-11-23T10:00:00Z","event":"created","n":2})";
  auto jsonl = read_body(line + "\n" + line + "\n{bad\n", body_kind::jsonl, limits).value();
  ASSERT_EQ(jsonl.events.size(), 2u);
  ASSERT_EQ(jsonl.rejected.size(), 1u);
  EXPECT_EQ(jsonl.rejected[0].line, 3u);
  auto array = read_body("[" + line + ", 7, " + line + "]", body_kind::json_array, limits).value();
  EXPECT_EQ(array.events.size(), 2u);
  ASSERT_EQ(array.rejected.size(), 1u);
  EXPECT_EQ(array.rejected[0].line, 2u);  // the element's position
  auto csv = read_body("id,at,event,n:number\nA,2026-11-23T10:00:00Z,created,2\n", body_kind::csv, limits).value();
  ASSERT_EQ(csv.events.size(), 1u);
  EXPECT_EQ(csv.events[0].id, "A");
}

TEST(Body, UnreadableAndTooLargeBodiesAreRefusedWhole) {
  body_limits limits;
  limits.max_body_bytes = 1000;
  limits.max_line_bytes = 100;
  limits.max_rows = 2;
  const auto refused = [&](std::string body, body_kind kind) { return read_body(body, kind, limits).error(); };
  EXPECT_EQ(refused(std::string(1001, ' '), body_kind::jsonl).code, "body_too_large");
  EXPECT_EQ(refused(std::string(1001, ' '), body_kind::jsonl).status, 413);
  auto line = refused("{}\n" + std::string(101, 'x') + "\n", body_kind::jsonl);
  EXPECT_EQ(line.status, 413);
  EXPECT_EQ(line.message, "line 2 is 101 bytes, more than the limit of 100");
  EXPECT_EQ(refused("{}\n{}\n{}\n", body_kind::jsonl).message, "the body has 3 rows, more than the limit of 2 per request");
  EXPECT_EQ(refused("id,at,event\na,b,c\na,b,c\na,b,c\n", body_kind::csv).code, "too_many_rows");
  EXPECT_EQ(refused("[1,2,3]", body_kind::json_array).code, "too_many_rows");
  EXPECT_EQ(refused("{\"a\":\"\xff\"}", body_kind::jsonl).message, "the body is not UTF-8 text (byte 6)");
  EXPECT_EQ(refused("[1,", body_kind::json_array).code, "bad_json");
  EXPECT_EQ(refused("{}", body_kind::json_array).code, "bad_json");
  auto csv = refused("name\nx\n", body_kind::csv);
  EXPECT_EQ(csv.status, 400);
  EXPECT_EQ(csv.code, "bad_csv");
}

TEST(Body, Utf8Check) {
  EXPECT_EQ(invalid_utf8_at("plain ascii"), std::string_view::npos);
  EXPECT_EQ(invalid_utf8_at("K\xc3\xb6ln \xe2\x82\xac \xf0\x9f\x98\x80"), std::string_view::npos);
  EXPECT_EQ(invalid_utf8_at("a\xc0\xaf"), 1u);           // overlong
  EXPECT_EQ(invalid_utf8_at("ab\xed\xa0\x80"), 2u);       // a surrogate
  EXPECT_EQ(invalid_utf8_at("abc\xe2\x82"), 3u);          // cut short
}

TEST(Crypto, HmacSha256MatchesRfc4231) {
  // RFC 4231 test case 2.
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 1: key 0x0b * 20, "Hi There".
  EXPECT_EQ(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(Crypto, SecretsCompareByContentOnly) {
  EXPECT_TRUE(equal_secrets("token-1", "token-1"));
  EXPECT_FALSE(equal_secrets("token-2", "token-1"));
  EXPECT_FALSE(equal_secrets("token-1x", "token-1"));
  EXPECT_FALSE(equal_secrets("", "token-1"));
}

const char* erp_mapping = R"(sources:
  erp:
    zone: Europe/Berlin
    id: /doc/name
    at: /doc/modified
    event: {pointer: /event, map: {on_submit: submitted, on_cancel: cancelled}}
    attributes:
      status: /doc/status
      total: /doc/grand_total
      source: {const: erpnext}
      missing: /doc/nothing
  lines:
    each: /items
    id: /code
    at: {const: "2026-11-23T10:00:00Z"}
    event: {const: ordered}
)";

TEST(Mapping, PointersConstantsZonesAndValueMaps) {
  auto m = parse_mapping(erp_mapping, "m.yaml");
  ASSERT_TRUE(m) << m.error().message();
  const auto& erp = m->sources.at("erp");
  auto payload = nlohmann::json::parse(R"({"event":"on_submit","doc":{"name":"SO-1","modified":"2026-11-23 09:15:00.5",
    "status":"To Deliver","grand_total":12.5}})");
  auto b = apply_mapping(erp, payload);
  ASSERT_EQ(b.events.size(), 1u);
  ASSERT_TRUE(b.rejected.empty()) << b.rejected[0].reason;
  const auto& e = b.events[0];
  EXPECT_EQ(e.id, "SO-1");
  EXPECT_EQ(e.name, "submitted");
  EXPECT_EQ(duly::format_instant(e.at), "2026-11-23T08:15:00Z");
  ASSERT_EQ(e.updates.size(), 3u);  // status, total, source; `missing` left unchanged
  payload["event"] = "on_trash";
  payload["doc"].erase("name");
  auto bad = apply_mapping(erp, nlohmann::json::array({payload}));
  ASSERT_EQ(bad.rejected.size(), 1u);
  EXPECT_EQ(bad.rejected[0].line, 1u);
  EXPECT_EQ(bad.rejected[0].reason,
            "id: /doc/name is not in the payload; event: /event: 'on_trash' is not one of the mapped values "
            "(on_cancel, on_submit)");
  auto items = apply_mapping(m->sources.at("lines"), nlohmann::json::parse(R"({"items":[{"code":"A"},{"code":"B"},{}]})"));
  EXPECT_EQ(items.events.size(), 2u);
  ASSERT_EQ(items.rejected.size(), 1u);
  EXPECT_EQ(items.rejected[0].line, 3u);
}

TEST(Mapping, EveryProblemOfAFileWithItsPosition) {
  auto m = parse_mapping("sources:\n  a:\n    id: name\n    at: {pointer: /x, color: red}\n  b c:\n    id: /i\n", "m.yaml");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message(),
            "m.yaml:3:9: sources.a.id: expected a JSON Pointer such as '/doc/name'\n"
            "m.yaml:4:23: sources.a.at: unknown key 'color' (expected pointer, map, default or const)\n"
            "m.yaml:2:3: sources.a: missing 'event'\n"
            "m.yaml:5:3: sources: a source's name is letters, digits, '_', '.' and '-' (it is a URL path segment): "
            "'b c'");
  auto fields = parse_mapping("sources:\n  a:\n    id: name\n    at: {pointer: /x, color: red}\n    event: {const: 3}\n",
                              "m.yaml");
  ASSERT_FALSE(fields);
  EXPECT_EQ(fields.error().message(),
            "m.yaml:3:9: sources.a.id: expected a JSON Pointer such as '/doc/name'\n"
            "m.yaml:4:23: sources.a.at: unknown key 'color' (expected pointer, map, default or const)\n"
            "m.yaml:5:20: sources.a.event.const: expected text");
  EXPECT_FALSE(parse_mapping("sources: {}\n", "m.yaml"));
  EXPECT_FALSE(parse_mapping("[1, 2", "m.yaml"));
}

TEST(Metrics, PrometheusText) {
  metrics m;
  m.events_accepted += 5;
  m.observe_request(0.002, 200);
  m.observe_request(7, 503);
  const std::string text = m.prometheus(3, 9, std::nullopt);
  EXPECT_NE(text.find("# TYPE duly_events_accepted_total counter\nduly_events_accepted_total 5\n"), std::string::npos);
  EXPECT_NE(text.find("duly_records 3\n"), std::string::npos);
  EXPECT_EQ(text.find("duly_delivered_cursor"), std::string::npos);
  EXPECT_NE(text.find("duly_request_seconds_bucket{le=\"0.001\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("duly_request_seconds_bucket{le=\"0.0025\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("duly_request_seconds_bucket{le=\"5\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("duly_request_seconds_bucket{le=\"+Inf\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("duly_request_seconds_count 2\n"), std::string::npos);
  EXPECT_NE(text.find("duly_requests_total{code=\"5xx\"} 1\n"), std::string::npos);
}

}  // namespace
